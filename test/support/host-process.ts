import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { inject } from 'vitest';

export interface HostProcess {
  url: string;
  /** Every line the host printed so far. */
  output: string[];
  process: ChildProcess;
  /** Names isolating this host's data: its Cosmos database, Redis key prefix and task hub. */
  database: string;
  redisPrefix: string;
  taskHub: string;
  /** The host's system key: the durable API (`/runtime/webhooks/durabletask/`) answers only to it. */
  systemKey: string;
  env: Record<string, string>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** The app's blob-triggered functions; `{ 'AzureWebJobs.<name>.Disabled': 'false' }` turns one on for a test. */
export const blobTriggeredFunctions = ['catalog-landed-file', 'ingest-feature-file', 'ingest-rag-document'];

export function uniqueName(prefix: string, separator: '-' | '_' = '-'): string {
  return `${prefix}${separator}${randomBytes(4).toString('hex')}`;
}

/**
 * Starts `node dist/local/main.js` (what `npm start` runs) against the run's emulators, on a
 * free port, with its own Cosmos database and Redis prefix so test files do not collide.
 */
export async function startHostProcess(
  overrides: Record<string, string> = {},
  timeoutMs = 30_000,
  /** As `npm start` in a terminal: the host leads a process group, and `stop` signals the whole group as Ctrl-C does. */
  options: { asTerminal?: boolean; args?: readonly string[] } = {},
): Promise<HostProcess> {
  // test-<run><random>: the run's teardown removes every host's Redis keys by the run's part.
  const database = `test-${inject('arborRunId')}${randomBytes(4).toString('hex')}`;
  const redisPrefix = `${database}:`;
  // Each host its own task hub, as two apps in Azure would have: a host resumes every
  // unfinished instance of its hub, and must not run another test's.
  const taskHub = `Test${database.slice(5)}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    ...inject('arborEnv'),
    PORT: '0',
    ARBOR_GRPC_PORT: '0',
    COSMOS_DATABASE: database,
    ARBOR_TASK_HUB: taskHub,
    REDIS_KEY_PREFIX: redisPrefix,
    // Blob receipts and poison records are per app: hosts of different test files watch the
    // same landing container and must not count each other's delivery attempts.
    WEBSITE_SITE_NAME: overrides.COSMOS_DATABASE ?? database,
    // Every host of the run watches the same Azurite: blob triggers are off unless a test turns
    // its one on, or another file's host would take (and quarantine) that test's blobs.
    ...Object.fromEntries(blobTriggeredFunctions.map((name) => [`AzureWebJobs.${name}.Disabled`, 'true'])),
    ARBOR_LOG_LEVEL: 'warning',
    ARBOR_BLOB_POLL_MS: '200',
    ARBOR_PARENT_PID: String(process.pid),
    ARBOR_SYSTEM_KEY: randomBytes(24).toString('base64url'),
    ...hostCoverage(),
    ...overrides,
  };
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'local', 'main.js'), ...(options.args ?? [])], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.asTerminal === true,
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await announcedAddress(child, output, exited, /Arbor is up: (http:\/\/\S+)\/api\/health/, 'host', timeoutMs);
  return {
    url,
    output,
    process: child,
    database: env.COSMOS_DATABASE as string,
    redisPrefix: env.REDIS_KEY_PREFIX as string,
    taskHub: env.ARBOR_TASK_HUB as string,
    systemKey: env.ARBOR_SYSTEM_KEY as string,
    env,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        if (options.asTerminal && child.pid !== undefined) process.kill(-child.pid, signal);
        else child.kill(signal);
      }
      return exited;
    },
  };
}

/** `npm run test:coverage` collects V8 coverage from every host process and tool a test spawns too (tools/coverage/run.mjs merges it). */
export function hostCoverage(): Record<string, string> {
  const directory = process.env.ARBOR_HOST_COVERAGE_DIR;
  return directory ? { NODE_V8_COVERAGE: directory } : {};
}

/** Runs the host to completion when it is expected to fail at start. */
export async function runHostExpectingFailure(overrides: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'local', 'main.js')], {
    env: { PATH: process.env.PATH ?? '', ...inject('arborEnv'), PORT: '0', ARBOR_GRPC_PORT: '0', ...hostCoverage(), ...overrides },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onOutput = (chunk: Buffer) => {
    output += chunk.toString();
    // It started after all: stop it, so the test fails on the exit code instead of hanging.
    if (output.includes('Arbor is up:')) child.kill('SIGTERM');
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, output };
}

/** Polls until `check` returns a value, or fails with the last reason. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
}

/**
 * The address a started process prints on the line `announcement` matches (its first group),
 * collecting every line it prints into `output`; refused if it exits or stays silent too long.
 */
export function announcedAddress(
  child: ChildProcess,
  output: string[],
  exited: Promise<number | null>,
  announcement: RegExp,
  what: string,
  timeoutMs: number,
): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start in ${timeoutMs} ms:\n${output.join('\n')}`)), timeoutMs);
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line) output.push(line);
        const up = announcement.exec(line);
        if (up) {
          clearTimeout(timer);
          resolve(up[1] as string);
        }
      }
    };
    child.stdout?.on('data', onLine);
    child.stderr?.on('data', onLine);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code} while starting:\n${output.join('\n')}`));
    });
  });
}
