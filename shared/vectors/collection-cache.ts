import { NotFoundError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { getCollection, type Collection } from './collections.js';

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

/** A dropped collection's uid is never served again. */
export function forgetCollection(collection: Collection): void {
  byUid.delete(`${collection.name}/${collection.uid}`);
}
