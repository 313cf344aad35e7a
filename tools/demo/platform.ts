import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { localBlobConnectionString } from '../../local/blob-connection.js';
import { forgetRedisPrefix } from '../../local/redis-prefix.js';
import { findAppRoot } from '../../shared/platform/settings.js';
import { DemoError } from './api.js';

/** The platform the demo talks to, and the storage its landing container is in. */
export interface Platform {
  url: string;
  /** Connection string of the app's blob storage: files land there, as they would in Azure. */
  storage: string;
  /** True when the demo started it (and so stops it). */
  started: boolean;
  stop(): Promise<void>;
}

/** Whether anything Arbor-like answers at `url` (any status: a degraded health is still a platform). */
export async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(3_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}

/**
 * The platform at `url`, started first when nothing answers there: `node dist/local/main.js`, as
 * `npm start` runs it, on that address's port, with emulators in memory and its own Redis key
 * prefix, removed when it stops (a demo leaves no data behind), and fault injection allowed
 * (stage 4's slow v3).
 */
export async function ensurePlatform(url: string, log: (line: string) => void, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Platform> {
  const root = findAppRoot();
  if (await answers(url)) {
    log(`platform: using the one answering at ${url}`);
    return { url, storage: storageOf(root, env), started: false, stop: async () => undefined };
  }
  const port = new URL(url).port || '7071';
  log(`platform: nothing answers at ${url}; starting node dist/local/main.js on port ${port}`);
  const redisPrefix = `arbor-demo-${randomBytes(3).toString('hex')}:`;
  const child = spawn(process.execPath, [join(root, 'dist', 'local', 'main.js')], {
    cwd: root,
    env: {
      ...env,
      PORT: port,
      ARBOR_IN_MEMORY: 'true',
      ARBOR_SERVING_ALLOW_FAULTS: 'true',
      ARBOR_LOG_LEVEL: 'warning',
      ARBOR_BLOB_POLL_MS: '250',
      REDIS_KEY_PREFIX: redisPrefix,
      ARBOR_PARENT_PID: String(process.pid),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const { hostUrl, storage: printed } = await announced(child, output);
  // A host pointed at real storage prints no connection string: it is the configured one.
  const storage = printed ?? storageOf(root, env);
  log(`platform: up at ${hostUrl} (stopped at the end)`);
  const exited = new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    url: hostUrl,
    storage,
    started: true,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      // The emulators' data went with the host; its Redis keys (online features with TTLs of
      // weeks, 52,000 of them at the default size) would stay in a Redis others share.
      await forgetRedisPrefix(env.REDIS_URL ?? 'redis://127.0.0.1:6379', redisPrefix);
    },
  };
}

/** The running platform's blob storage, as `npm run blob` finds it; said plainly when there is none. */
function storageOf(root: string, env: Readonly<Record<string, string | undefined>>): string {
  try {
    return localBlobConnectionString(root, env);
  } catch (error) {
    throw new DemoError(`the raw files land in the platform's blob storage, and ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Waits for the host's "Arbor is up" line, reading the blob connection string it prints on the way. */
function announced(child: ChildProcess, output: string[]): Promise<{ hostUrl: string; storage: string | undefined }> {
  return new Promise((resolve, reject) => {
    let storage: string | undefined;
    let nextIsStorage = false;
    const timer = setTimeout(() => fail(new DemoError(`the platform did not start in 120 s:\n${output.slice(-20).join('\n')}`)), 120_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill('SIGTERM');
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        output.push(line);
        if (output.length > 200) output.shift();
        if (nextIsStorage) {
          storage = line.trim();
          nextIsStorage = false;
        }
        if (/blob connection string/.test(line)) nextIsStorage = true;
        const up = /Arbor is up: (http:\/\/\S+)\/api\/health/.exec(line);
        if (up?.[1]) {
          clearTimeout(timer);
          resolve({ hostUrl: up[1], storage });
        }
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => fail(new DemoError(`the platform exited with ${code} while starting:\n${output.slice(-20).join('\n')}`)));
  });
}
