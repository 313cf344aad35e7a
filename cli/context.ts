import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { arborClient, type ArborClient } from '../client/arbor-client.js';

/** The options every command takes (commander's global options, read with `optsWithGlobals`). */
export interface GlobalOptions {
  url?: string;
  key?: string;
  profile?: string;
  json?: boolean;
}

/** What went wrong, and whose fault: `usage` (exit 2) for a bad command line, `failure` (exit 1) for the rest. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 1,
    /** Lines printed under the message: the API's details, each file:line and field. */
    readonly lines: readonly string[] = [],
  ) {
    super(message);
  }
}

export const defaultUrl = 'http://127.0.0.1:7071';

const profileSchema = z.object({ url: z.string().url().optional(), key: z.string().min(1).optional() });
/** ~/.arbor/config.json: either one profile, or named profiles chosen by --profile / ARBOR_PROFILE. */
const configSchema = z.union([z.object({ profiles: z.record(z.string(), profileSchema) }), profileSchema]);

function profileSettings(name: string | undefined): z.output<typeof profileSchema> {
  const path = join(process.env.HOME ?? homedir(), '.arbor', 'config.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    if (name) throw new CliError(`profile "${name}" asked for, but ${path} cannot be read`);
    return {};
  }
  let parsed: z.output<typeof configSchema>;
  try {
    parsed = configSchema.parse(JSON.parse(text));
  } catch (error) {
    throw new CliError(`${path} is not a valid profile file: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!('profiles' in parsed)) return parsed;
  const chosen = name ?? 'default';
  const profile = parsed.profiles[chosen];
  if (!profile && name) throw new CliError(`${path} has no profile "${name}" (it has: ${Object.keys(parsed.profiles).join(', ') || 'none'})`);
  return profile ?? {};
}

/** Where to send requests and with which key: flags, then the environment, then the profile file. */
export function resolveSettings(options: GlobalOptions): { url: string; key?: string } {
  const profile = profileSettings(options.profile ?? process.env.ARBOR_PROFILE);
  const url = options.url ?? process.env.ARBOR_URL ?? profile.url ?? defaultUrl;
  const key = options.key ?? process.env.ARBOR_FUNCTION_KEY ?? profile.key;
  return { url, ...(key ? { key } : {}) };
}

export function clientFor(options: GlobalOptions): ArborClient {
  const { url, key } = resolveSettings(options);
  return arborClient({ baseUrl: url, ...(key ? { functionKey: key } : {}) });
}

interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function isApiError(body: unknown): body is ApiErrorBody {
  const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return typeof error?.code === 'string' && typeof error.message === 'string';
}

/** The `{field, problem}` details of an API error, when it lists them. */
export function errorDetails(body: unknown): Array<{ field: string; problem: string }> {
  if (!isApiError(body) || !Array.isArray(body.error.details)) return [];
  return body.error.details.filter((d): d is { field: string; problem: string } => typeof d?.field === 'string' && typeof d?.problem === 'string');
}

/** An answer that is not the success expected, as the error the CLI prints: the API's code, message and each detail. */
export function apiFailure(what: string, answer: { status: number; body: unknown }, fieldLabel: (field: string) => string = (f) => f): CliError {
  if (!isApiError(answer.body)) return new CliError(`${what}: HTTP ${answer.status}`);
  const { code, message, details } = answer.body.error;
  const lines = Array.isArray(details)
    ? errorDetails(answer.body).map((d) => `${fieldLabel(d.field)}: ${d.problem}`)
    : details && typeof details === 'object' && Object.keys(details).length
      ? [JSON.stringify(details)]
      : [];
  return new CliError(`${what}: ${code}: ${message}`, 1, lines);
}

/** The body of an answer with the status expected, or the API's error thrown. */
export function expectStatus<T = Record<string, unknown>>(what: string, answer: { status: number; body: unknown }, ...statuses: number[]): T {
  if (!statuses.includes(answer.status)) throw apiFailure(what, answer);
  return answer.body as T;
}

/** Writes a JSON document for scripts (`--json`): one per command, on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function formatNumber(value: number | undefined, digits = 1): string {
  if (value === undefined || Number.isNaN(value)) return '-';
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}
