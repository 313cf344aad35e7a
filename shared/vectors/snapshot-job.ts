import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import type { Collection } from './collections.js';
import { onShard, shardKey } from './shard-cache.js';
import type { SnapshotOutcome } from './shard.js';

/** Longer than any snapshot takes; a crashed holder's lock lapses after it. */
const snapshotLockMs = 10 * 60_000;

/**
 * Snapshots every changed shard. One instance at a time per shard (a Redis lock): two would
 * each delete the other's snapshot files. A shard another instance is snapshotting is skipped
 * and says so; its changes are in that snapshot or the next.
 */
export async function snapshotCollection(services: Services, collection: Collection, options: { force?: boolean; now?: Date } = {}): Promise<SnapshotOutcome[]> {
  const rebuildRatio = services.settings.ARBOR_VECTOR_REBUILD_TOMBSTONE_RATIO;
  return Promise.all(
    Array.from({ length: collection.shards }, async (_, shard) => {
      const lock = `vectors:snapshot:${shardKey(collection, shard)}`;
      const token = `${services.hostId}:${Date.now()}`;
      const held = await callDependency('redis', () => services.redis.set(lock, token, 'PX', snapshotLockMs, 'NX'));
      if (held !== 'OK') return { shard, written: false, rebuilt: false, seq: -1, skipped: 'another instance is snapshotting this shard' };
      try {
        return await onShard(services, collection, shard, (opened) => opened.snapshotNow({ rebuildRatio, ...options }));
      } finally {
        // Only our own lock: compare and delete in one step.
        await services.redis
          .eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, lock, token)
          .catch(() => undefined);
      }
    }),
  );
}
