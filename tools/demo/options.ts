import { Command, CommanderError, InvalidArgumentError } from 'commander';

export interface DemoOptions {
  /** Raw transactions to generate. */
  rows: number;
  /** The platform's address, without /api. */
  url: string;
  seed: number;
  /** Seconds between a rollout's checks (the API's `intervalSeconds`). */
  rolloutIntervalSeconds: number;
  functionKey?: string;
}

export const defaultRows = 1_000_000;
export const maxRows = 10_000_000;
export const minRows = 1_000;

/** A command line the demo cannot run: exit code 2, as the `arbor` CLI does. */
export class UsageError extends Error {}

function wholeNumber(name: string, min: number, max: number) {
  return (value: string): number => {
    const parsed = /^\d[\d_,]*$/.test(value) ? Number(value.replaceAll(/[_,]/g, '')) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}, not "${value}"`);
    }
    return parsed;
  };
}

function address(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`--url must be an http(s) address such as http://127.0.0.1:7071, not "${value}"`);
  }
  if (!/^https?:$/.test(url.protocol)) throw new InvalidArgumentError(`--url must be http or https, not "${url.protocol}"`);
  return value.replace(/\/+$/, '').replace(/\/api$/, '');
}

/** Reads the command line; a bad one is a UsageError naming the option (commander prints nothing itself). */
export function parseOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): DemoOptions {
  const command = new Command('npm run demo')
    .description('The whole loop on a generated fraud data set: land, ETL, features, train, serve, canary, drift, RAG')
    .option('--rows <n>', `raw transactions to generate (${minRows.toLocaleString('en-US')}-${maxRows.toLocaleString('en-US')})`, wholeNumber('--rows', minRows, maxRows), defaultRows)
    .option('--url <url>', 'the platform; started here when nothing answers there', address, env.ARBOR_URL ?? 'http://127.0.0.1:7071')
    .option('--seed <n>', 'seed of the generated data', wholeNumber('--seed', 0, 2 ** 31 - 1), 7)
    .option('--rollout-interval <seconds>', 'seconds between a canary rollout\'s checks', wholeNumber('--rollout-interval', 1, 3600), 5)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: (text) => process.stdout.write(text) });
  try {
    command.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) throw error;
      throw new UsageError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  const parsed = command.opts<{ rows: number; url: string; seed: number; rolloutInterval: number }>();
  return {
    rows: parsed.rows,
    url: parsed.url,
    seed: parsed.seed,
    rolloutIntervalSeconds: parsed.rolloutInterval,
    ...(env.ARBOR_FUNCTION_KEY ? { functionKey: env.ARBOR_FUNCTION_KEY } : {}),
  };
}
