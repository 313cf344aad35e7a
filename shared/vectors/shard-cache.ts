import type { Services } from '../platform/services.js';
import type { Collection } from './collections.js';
import { selectEngine } from './engines/select.js';
import { vectorsContainer } from './layout.js';
import { Shard, ShardMovedError } from './shard.js';

/** Shards this process has loaded, by collection, uid and number; loaded once, on first touch. */
const loaded = new Map<string, Promise<Shard>>();

/** Names one shard of one incarnation (uid) of a collection; also keys its snapshot lock. */
export const shardKey = (collection: Collection, shard: number) => `${collection.name}/${collection.uid}/${shard}`;

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

/**
 * Whether this process holds (or is loading) its own copy of the shard: a query need not then
 * ask another instance, or itself, over HTTP; `syncedShard` keeps the copy current.
 */
export function holdsShard(collection: Collection, shard: number): boolean {
  return loaded.has(shardKey(collection, shard));
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
export async function onShard<T>(services: Services, collection: Collection, shard: number, work: (opened: Shard) => Promise<T>): Promise<T> {
  const opened = await syncedShard(services, collection, shard);
  try {
    return await work(opened);
  } catch (error) {
    if (!(error instanceof ShardMovedError)) throw error;
    dropShard(collection, shard, opened);
    return work(await openShard(services, collection, shard));
  }
}

/** Frees every shard of a dropped collection this process holds. */
export function disposeCollectionShards(name: string): void {
  for (const [key, pending] of loaded) {
    if (!key.startsWith(`${name}/`)) continue;
    loaded.delete(key);
    pending.then((shard) => shard.dispose()).catch(() => undefined);
  }
}
