import type { Services } from '../platform/services.js';
import type { Collection } from './collections.js';
import type { Metadata } from './filter.js';
import type { UpsertRequest } from './requests.js';
import { shardOf } from './routing.js';
import { onShard } from './shard-cache.js';

/** Upserts a validated batch: each shard's part is in its log before this returns. */
export async function upsertItems(services: Services, collection: Collection, request: UpsertRequest): Promise<{ upserted: number; shards: Record<string, number> }> {
  const byShard = new Map<number, Array<{ id: string; vector: Float32Array; metadata?: Metadata }>>();
  for (const item of request.items) {
    const shard = shardOf(item.id, collection.shards);
    let list = byShard.get(shard);
    if (!list) byShard.set(shard, (list = []));
    list.push({ id: item.id, vector: Float32Array.from(item.vector), ...(item.metadata ? { metadata: item.metadata } : {}) });
  }
  await Promise.all(
    [...byShard].map(([shard, items]) => onShard(services, collection, shard, (opened) => opened.upsert(items))),
  );
  return { upserted: request.items.length, shards: Object.fromEntries([...byShard].map(([shard, items]) => [String(shard), items.length])) };
}

/** True when the id existed (its delete is logged), false when there was nothing to delete. */
export async function deleteItem(services: Services, collection: Collection, id: string): Promise<boolean> {
  const deleted = await onShard(services, collection, shardOf(id, collection.shards), (opened) => opened.delete([id]));
  return deleted.length > 0;
}
