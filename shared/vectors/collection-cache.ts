import { NotFoundError } from '../platform/errors.js';
import { RefreshingCache } from '../platform/refreshing-cache.js';
import type { Services } from '../platform/services.js';
import { getCollection, type Collection } from './collections.js';

export async function requireCollection(services: Services, name: string): Promise<Collection> {
  const collection = await getCollection(services, name);
  if (!collection) throw new NotFoundError('collection', name);
  return collection;
}

/**
 * Collections that exist, by database and name, for queries: a query should not wait for a
 * Cosmos DB read (bench/vectors: the read was most of what a query paid beyond HTTP). Another
 * instance's drop is seen here within `queryCollectionRefreshMs` plus one read; a drop on this
 * instance at once (forgetCollection). A missing collection is not remembered, so one created
 * anywhere is found by the next query. Writes (upserts, deletes) read the collection fresh: a
 * write must not land in a collection another instance has dropped.
 */
export const queryCollectionRefreshMs = 5_000;
const forQueries = new RefreshingCache<Collection | undefined>({ refreshMs: queryCollectionRefreshMs, maxStaleMs: 60_000, maxEntries: 10_000 });
const queryKey = (services: Services, name: string) => `${services.settings.COSMOS_DATABASE}/${name}`;

/** The collection a query reads (see forQueries); 404 when there is none. */
export async function queryableCollection(services: Services, name: string): Promise<Collection> {
  const key = queryKey(services, name);
  const collection = await forQueries.get(key, () => getCollection(services, name));
  if (!collection) {
    forQueries.delete(key);
    throw new NotFoundError('collection', name);
  }
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

/** A dropped collection's uid is never served again, nor its name to a query on this instance. */
export function forgetCollection(services: Services, collection: Collection): void {
  byUid.delete(`${collection.name}/${collection.uid}`);
  forQueries.delete(queryKey(services, collection.name));
}
