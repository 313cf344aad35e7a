import { callDependency } from '../storage/dependency.js';
import { NotFoundError, messageOf } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { deleteCollectionDocument, getCollection, type Collection } from './collections.js';
import type { Filter, Metadata } from './filter.js';
import { collectionPrefix, vectorsContainer } from './layout.js';
import { vectorPartialQueries, vectorQueryDuration, vectorShardSearchDuration } from './metrics.js';
import type { QueryRequest, UpsertRequest } from './requests.js';
import { shardOf } from './routing.js';
import { mergeTopK } from './scoring.js';
import { selectEngine } from './engines/select.js';
import { Shard, ShardMovedError, type ShardHit, type ShardStats, type SnapshotOutcome } from './shard.js';

/** Shards this process has loaded, by collection, uid and number; loaded once, on first touch. */
const loaded = new Map<string, Promise<Shard>>();
const shardKey = (collection: Collection, shard: number) => `${collection.name}/${collection.uid}/${shard}`;

export async function requireCollection(services: Services, name: string): Promise<Collection> {
  const collection = await getCollection(services, name);
  if (!collection) throw new NotFoundError('collection', name);
  return collection;
}

/** Collections by name and uid: a uid's shape never changes, so it needs no re-reading. */
const byUid = new Map<string, Collection>();

/**
 * The collection a fan-out call names by uid, read from Cosmos DB once per process rather than
 * once per shard call (bench/vectors: the read dominated the HTTP path). Without a uid, or for
 * a uid not seen yet, it is read; a uid that no longer matches is the caller's 409.
 */
export async function collectionForCall(services: Services, name: string, uid: string | undefined): Promise<Collection> {
  const cached = uid ? byUid.get(`${name}/${uid}`) : undefined;
  if (cached) return cached;
  const collection = await requireCollection(services, name);
  byUid.set(`${collection.name}/${collection.uid}`, collection);
  return collection;
}

/** The shard, loading its latest snapshot and replaying its log the first time this process touches it. */
export function openShard(services: Services, collection: Collection, shard: number): Promise<Shard> {
  const key = shardKey(collection, shard);
  let pending = loaded.get(key);
  if (!pending) {
    pending = (async () => {
      await services.ensureContainer(vectorsContainer);
      const engine = await selectEngine(services.settings.ARBOR_VECTOR_ENGINE);
      const { name, uid, dimension, metric, m, efConstruction } = collection;
      return Shard.open(
        { collection: name, uid, shard, dimension, metric, m, efConstruction },
        engine,
        services.blob.getContainerClient(vectorsContainer),
      );
    })();
    loaded.set(key, pending);
    pending.catch(() => loaded.delete(key));
  }
  return pending;
}

/** How often a shard checks storage for other instances' writes and snapshots before use. */
const syncIntervalMs = 1_000;
const syncedAt = new Map<string, number>();

/** Forgets this process's copy of a shard; calls already holding it finish on it, then it is freed. */
function dropShard(collection: Collection, shard: number, stale: Shard): void {
  const key = shardKey(collection, shard);
  loaded.delete(key);
  syncedAt.delete(key);
  setTimeout(() => stale.dispose(), 30_000).unref();
}

/**
 * The shard, current with storage within a second: other instances' appends applied (seals
 * followed), or reloaded when this copy fell a whole snapshot behind. Without this, an instance
 * would serve, and append to, a stale copy until it restarted.
 */
export async function syncedShard(services: Services, collection: Collection, shard: number): Promise<Shard> {
  const key = shardKey(collection, shard);
  const opened = await openShard(services, collection, shard);
  if (Date.now() - (syncedAt.get(key) ?? 0) < syncIntervalMs) return opened;
  syncedAt.set(key, Date.now());
  if ((await opened.sync()) === 'current') return opened;
  dropShard(collection, shard, opened);
  return openShard(services, collection, shard);
}

/** Runs work on the current shard; if its segment moved on meanwhile, once more on a reload. */
async function onShard<T>(services: Services, collection: Collection, shard: number, work: (opened: Shard) => Promise<T>): Promise<T> {
  const opened = await syncedShard(services, collection, shard);
  try {
    return await work(opened);
  } catch (error) {
    if (!(error instanceof ShardMovedError)) throw error;
    dropShard(collection, shard, opened);
    return work(await openShard(services, collection, shard));
  }
}

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

export interface ShardQuery {
  vector: Float32Array;
  k: number;
  ef: number;
  filter?: Filter;
}

export interface ShardAnswer {
  shard: number;
  hits: ShardHit[];
  exact: boolean;
  items: number;
}

export async function searchShard(services: Services, collection: Collection, shard: number, query: ShardQuery): Promise<ShardAnswer> {
  const opened = await syncedShard(services, collection, shard);
  const started = performance.now();
  const result = opened.search(query.vector, query.k, query.ef, query.filter);
  vectorShardSearchDuration.observe({ collection: collection.name, shard: String(shard) }, (performance.now() - started) / 1000);
  return { shard, hits: result.hits, exact: result.exact, items: opened.live };
}

/** Runs one shard's search wherever it lives: the shard-search function over HTTP, or in process. */
export type ShardSearcher = (shard: number, query: ShardQuery, signal: AbortSignal) => Promise<ShardAnswer>;

export interface QueryAnswer {
  results: Array<{ id: string; score: number; metadata: Metadata | null }>;
  partial: boolean;
  shards: { asked: number; answered: number; failed?: Array<{ shard: number; reason: string }> };
}

/** How many hits each shard is asked for: more than k, so the merge rarely misses a global top-k item. */
export const perShardK = (k: number) => k + Math.max(5, Math.ceil(k / 2));
export const defaultEf = (perShard: number) => Math.max(100, perShard * 2);

/**
 * Fans a query out to every shard at once, each with a deadline, and merges the global top k.
 * A shard that fails or is late makes the answer `partial`, naming it; never a silent short list.
 */
export async function queryCollection(collection: Collection, request: QueryRequest, searcher: ShardSearcher, timeoutMs: number): Promise<QueryAnswer> {
  const started = performance.now();
  const k = perShardK(request.k);
  const query: ShardQuery = { vector: Float32Array.from(request.vector), k, ef: request.ef ?? defaultEf(k), ...(request.filter ? { filter: request.filter } : {}) };
  const settled = await Promise.all(
    Array.from({ length: collection.shards }, async (_, shard) => {
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          controller.abort();
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs);
      });
      try {
        return { shard, answer: await Promise.race([searcher(shard, query, controller.signal), deadline]) };
      } catch (error) {
        return { shard, error: messageOf(error) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const answers = settled.flatMap((s) => ('answer' in s && s.answer ? [s.answer] : []));
  const failed = settled.flatMap((s) => ('error' in s && s.error !== undefined ? [{ shard: s.shard, reason: s.error }] : []));
  const results = mergeTopK(collection.metric, answers.map((a) => a.hits), request.k);
  vectorQueryDuration.observe({ collection: collection.name }, (performance.now() - started) / 1000);
  vectorPartialQueries.observe({ collection: collection.name }, failed.length);
  return {
    results: results.map(({ id, score, metadata }) => ({ id, score, metadata })),
    partial: failed.length > 0,
    shards: { asked: collection.shards, answered: answers.length, ...(failed.length ? { failed } : {}) },
  };
}

/** The in-process searcher: every shard in this process. */
export function inProcessSearcher(services: Services, collection: Collection): ShardSearcher {
  return (shard, query) => searchShard(services, collection, shard, query);
}

export interface CollectionDescription extends Collection {
  items: number;
  memoryBytes: number;
  engine: string;
  shardStats: ShardStats[];
}

export async function describeCollection(services: Services, collection: Collection): Promise<CollectionDescription> {
  const stats = await Promise.all(
    Array.from({ length: collection.shards }, async (_, shard) => (await openShard(services, collection, shard)).stats()),
  );
  return {
    ...collection,
    items: stats.reduce((sum, s) => sum + s.items, 0),
    memoryBytes: stats.reduce((sum, s) => sum + s.memoryBytes, 0),
    engine: stats[0]?.engine ?? '',
    shardStats: stats,
  };
}

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

/** Drops a collection: its document first (so nothing new finds it), then its shards and blobs. */
export async function dropCollection(services: Services, name: string): Promise<boolean> {
  const collection = await getCollection(services, name);
  if (!collection) return false;
  await deleteCollectionDocument(services, name);
  byUid.delete(`${name}/${collection.uid}`);
  for (const [key, pending] of loaded) {
    if (!key.startsWith(`${name}/`)) continue;
    loaded.delete(key);
    pending.then((shard) => shard.dispose()).catch(() => undefined);
  }
  await services.ensureContainer(vectorsContainer);
  const container = services.blob.getContainerClient(vectorsContainer);
  await callDependency('blob', async () => {
    for await (const blob of container.listBlobsFlat({ prefix: collectionPrefix(collection.name, collection.uid) })) {
      await container.getBlobClient(blob.name).deleteIfExists();
    }
  });
  return true;
}
