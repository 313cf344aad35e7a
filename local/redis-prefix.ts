import { Redis } from 'ioredis';

/**
 * Removes every key under a prefix: what a host started for a demo or a benchmark wrote, when
 * its emulators (in memory) are gone with it and its keys would outlive it in a shared Redis.
 */
export async function forgetRedisPrefix(redisUrl: string, prefix: string): Promise<number> {
  // An empty prefix matches every key of the database, which others share.
  if (!prefix) throw new Error('refusing to remove keys under an empty prefix: that is every key');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let removed = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1_000);
      if (keys.length) removed += await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return removed;
}
