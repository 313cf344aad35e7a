import type { RedisClient } from './redis-client.js';
import { DependencyUnavailableError, callDependency } from './dependency.js';

/**
 * Fail fast while Redis is away. ioredis keeps commands sent while it reconnects in its offline
 * queue and rejects them only every `maxRetriesPerRequest + 1` failed attempts, and commands in
 * flight when the socket closes wait in the same way: during a 5 s outage requests took 1.75 s
 * (p50) to fail. Once a client has lost its connection, calls through `callRedis` are refused
 * at once until it is ready again, and a call in flight when the connection closes is refused
 * when it closes. The first connect still queues (a cold start should not answer 503 for the
 * milliseconds it takes to connect); the client reconnects in the background either way, on
 * its retryStrategy, so recovery does not wait for a request.
 */
interface Watch {
  /** The connection was lost and has not been ready since. */
  lost: boolean;
  /** Rejects the calls in flight; one entry per call. */
  inFlight: Set<(error: Error) => void>;
}

const watches = new WeakMap<RedisClient, Watch>();

/** Starts following a client's connection; idempotent. createRedis calls it for every client. */
export function watchRedis(client: RedisClient): void {
  watchOf(client);
}

function watchOf(client: RedisClient): Watch {
  const known = watches.get(client);
  if (known) return known;
  const watch: Watch = { lost: ['reconnecting', 'close', 'end'].includes(client.status), inFlight: new Set() };
  client.on('close', () => {
    watch.lost = true;
    const error = new DependencyUnavailableError('redis', new Error('the connection to Redis closed'));
    for (const reject of [...watch.inFlight]) reject(error);
  });
  client.on('ready', () => {
    watch.lost = false;
  });
  watches.set(client, watch);
  return watch;
}

/**
 * Runs Redis commands as one dependency call: refused at once (DependencyUnavailableError
 * naming redis) while the connection is lost, or when it closes under the call; other errors
 * that say Redis cannot be reached become the same error (callDependency). The call's own
 * promise may still settle later; that outcome is dropped.
 */
export async function callRedis<T>(client: RedisClient, call: () => Promise<T>): Promise<T> {
  const watch = watchOf(client);
  if (watch.lost) throw new DependencyUnavailableError('redis', new Error(`the connection to Redis is lost (${client.status}); reconnecting`));
  return callDependency('redis', () => {
    let onClose: ((error: Error) => void) | undefined;
    const closed = new Promise<never>((_resolve, reject) => {
      onClose = reject;
      watch.inFlight.add(reject);
    });
    closed.catch(() => undefined);
    const running = call();
    // The loser of the race below is dropped; its rejection must not go unhandled.
    running.catch(() => undefined);
    return Promise.race([running, closed]).finally(() => {
      if (onClose) watch.inFlight.delete(onClose);
    });
  });
}
