import { Redis } from 'ioredis';

/**
 * Removes every key under a prefix, through a client the caller holds. An empty prefix matches
 * every key of a database others share, so it is refused.
 */
export async function removeKeysUnder(redis: Redis, prefix: string): Promise<number> {
  if (!prefix) throw new Error('refusing to remove keys under an empty prefix: that is every key');
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
    if (keys.length) removed += await redis.unlink(...keys);
    cursor = next;
  } while (cursor !== '0');
  return removed;
}

/**
 * What a host started for a demo or a benchmark wrote to Redis, removed after it stopped: its
 * emulators (in memory) are gone with it, and its keys would outlive it in a shared Redis.
 */
export async function forgetRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return await removeKeysUnder(redis, prefix);
  } finally {
    redis.disconnect();
  }
}
