import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { startChildService, type ChildService } from './child-service.js';

async function ping(url: string): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 1_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function onPath(command: string): boolean {
  try {
    execFileSync('which', [command], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Uses the Redis at `url`; when none answers on a loopback address and redis-server is
 * installed, starts one there (nothing persisted). Otherwise says how to get one.
 */
export async function ensureRedis(url: string): Promise<{ started?: ChildService }> {
  if (await ping(url)) return {};
  const parsed = new URL(url);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (!loopback || !onPath('redis-server')) {
    throw new Error(
      `Redis is not reachable at ${url}. Start one (e.g. \`apt-get install redis-server && redis-server --daemonize yes\`), ` +
        'or set REDIS_URL to a Redis you can reach.',
    );
  }
  const port = parsed.port || '6379';
  const started = await startChildService(
    'redis-server',
    'redis-server',
    ['--bind', '127.0.0.1', '--port', port, '--save', '', '--appendonly', 'no'],
    /Ready to accept connections/,
  );
  return { started };
}
