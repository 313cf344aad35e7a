import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { mergeSettingSources, readLocalSettings, SettingsError, type SettingsSource } from '../shared/platform/settings.js';
import { minimumKeyLength } from './http/function-keys.js';

const key = z.string().min(minimumKeyLength, `must be at least ${minimumKeyLength} characters`);

const wholeNumber = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number(message).int(message).min(min, message).max(max, message);
};

/**
 * The local host's own settings: what Azure's Functions host and platform decide there, so none
 * of them is an app setting in infra/. The app's settings live in shared/platform/settings.ts.
 */
export const hostSettingsSchema = z.object({
  /** Also from local.settings.json `Host.LocalHttpPort`, as `func start` reads it; `0` picks a free port. */
  PORT: wholeNumber(0, 65_535).default(7071),
  /** The gRPC server (gRPC, gRPC-Web, Connect on HTTP/2) beside the HTTP host; `0` picks a free port. */
  ARBOR_GRPC_PORT: wholeNumber(0, 65_535).default(50_051),
  /**
   * Browser origins allowed to call the gRPC server with gRPC-Web or Connect (CORS), comma
   * separated: `scheme://host[:port]` each, or `*` for any; empty, none (local/grpc/cors.ts).
   */
  ARBOR_GRPC_CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean))
    .refine((origins) => origins.length <= 50, 'at most 50 origins')
    .refine((origins) => origins.every((origin) => origin === '*' || /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(origin)), 'each origin is scheme://host[:port] (no path, no trailing slash), or *'),
  /** Where the embedded emulators keep data, relative to the app folder. */
  ARBOR_DATA_DIR: z.string().min(1).default('.arbor'),
  /** `true`: Azurite and Cosmos start empty and keep nothing on disk. */
  ARBOR_IN_MEMORY: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  ARBOR_LOG_LEVEL: z.enum(['trace', 'debug', 'information', 'warning', 'error', 'critical', 'none']).default('information'),
  /** When set, `authLevel: function/admin` routes need it; in Azure the Functions host checks its own keys. */
  ARBOR_FUNCTION_KEY: key.optional(),
  /** The durable API's key (Azure: the durabletask extension's system key); unset, a random one per start. */
  ARBOR_SYSTEM_KEY: key.optional(),
  /** Names this app's blob receipts and poison records; Azure sets it on every Function App. */
  WEBSITE_SITE_NAME: z.string().regex(/^[A-Za-z0-9-]{1,60}$/, 'letters, digits and - only (1-60)').default('arbor'),
  /** The embedded Azurite's port; 0 picks a free one at each start. */
  ARBOR_BLOB_PORT: wholeNumber(0, 65_535).default(0),
  ARBOR_BLOB_POLL_MS: wholeNumber(10, 600_000).default(2_000),
  /** Deliveries of one blob before it is recorded as poison (Azure's `maxDequeueCount` is 5). */
  ARBOR_BLOB_MAX_ATTEMPTS: wholeNumber(1, 100).default(5),
  ARBOR_BLOB_RETRY_MS: wholeNumber(0, 600_000).default(1_000),
  /** Also from host.json `extensions.durableTask.hubName`; the backend keeps it in container `durable-<hub>`. */
  ARBOR_TASK_HUB: z.string().regex(/^[A-Za-z][A-Za-z0-9]{2,44}$/, 'letters and digits, starting with a letter (3-45)'),
  /** Activities the local durable backend runs at once. */
  ARBOR_DURABLE_MAX_ACTIVITIES: wholeNumber(1, 1_000).default(8),
  /** Serves another app module than package.json `main` (the tests' fixture apps). */
  ARBOR_APP_ENTRY: z.string().min(1).optional(),
  /** The host stops when this process is gone (set by the tests). */
  ARBOR_PARENT_PID: wholeNumber(1, 2 ** 31 - 1).optional(),
  /**
   * Host processes `npm start` runs behind a loopback front door on PORT, as Flex Consumption
   * scales out (also `npm start -- --instances N`); 1 runs the host alone (docs/scaling.md).
   */
  ARBOR_INSTANCES: wholeNumber(1, 16).default(1),
  /** Set by the front door for each instance it starts: its index, in its log lines and answers. */
  ARBOR_INSTANCE_INDEX: wholeNumber(0, 15).optional(),
  /**
   * Set by the front door for instances other than the first: the first instance's address. Such
   * an instance owns no task hub and runs no timers; its durable client calls the owner's API.
   */
  ARBOR_DURABLE_OWNER_URL: z.string().regex(/^http:\/\/127\.0\.0\.1:\d{1,5}$/, 'http://127.0.0.1:<port>').optional(),
});

export type HostSettings = z.output<typeof hostSettingsSchema>;

export function parseHostSettings(source: SettingsSource): HostSettings {
  const result = hostSettingsSchema.safeParse(source);
  if (!result.success) throw new SettingsError(result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  return result.data;
}

/**
 * Where `func start` takes two of these from, under the environment and local.settings.json
 * "Values": the port from local.settings.json `Host`, the task hub from host.json.
 */
function fromHostFiles(appRoot: string): Record<string, string> {
  const readJson = (path: string): unknown => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {});
  const port = z.object({ Host: z.object({ LocalHttpPort: z.unknown() }).partial() }).partial().parse(readJson(join(appRoot, 'local.settings.json'))).Host?.LocalHttpPort;
  const hub = z
    .object({ extensions: z.object({ durableTask: z.object({ hubName: z.unknown() }).partial() }).partial() })
    .partial()
    .parse(readJson(join(appRoot, 'host.json'))).extensions?.durableTask?.hubName;
  return {
    ...(port === undefined ? {} : { PORT: String(port) }),
    ...(hub === undefined ? {} : { ARBOR_TASK_HUB: String(hub) }),
  };
}

export interface LoadedHostSettings {
  host: HostSettings;
  /** Every raw setting (environment over local.settings.json "Values"): what the app and bindings see. */
  raw: Record<string, string>;
}

/** Reads and validates the host's settings; throws naming each bad one, before anything starts. */
export function loadHostSettings(appRoot: string, env: SettingsSource = process.env): LoadedHostSettings {
  const raw = mergeSettingSources(env, readLocalSettings(join(appRoot, 'local.settings.json')));
  return { host: parseHostSettings(mergeSettingSources(raw, fromHostFiles(appRoot))), raw };
}
