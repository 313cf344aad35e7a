import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ArborError, ConflictError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import { collectionSpec, type CollectionSpec } from './requests.js';

/** Collections in Cosmos DB: one small document per collection, read by id. */
export const vectorCollectionsContainer: ContainerDefinition = { id: 'vector-collections', partitionKey: '/name' };

const collectionDocument = z.object({
  ...collectionSpec.shape,
  id: z.string(),
  name: z.string(),
  /** New on every create: names the collection's blobs, so a re-created one starts empty. */
  uid: z.string().min(1),
  createdAt: z.iso.datetime(),
});
type CollectionDocument = z.output<typeof collectionDocument>;
export type Collection = Omit<CollectionDocument, 'id'>;

const collections = (services: Services) => cosmosRepository(services.cosmos, vectorCollectionsContainer, collectionDocument);
/** Ids only, to count collections without reading (or parsing) their documents. */
const collectionIds = (services: Services) => cosmosRepository(services.cosmos, vectorCollectionsContainer, z.object({ id: z.string() }));

/**
 * Creating a collection past ARBOR_VECTOR_MAX_COLLECTIONS. A 409, not a 400 (the name is fine)
 * nor a 429 (waiting does not help, and clients retry 429s by themselves): the app's state
 * refuses it until a collection is dropped or the limit raised.
 */
export class CollectionLimitError extends ArborError {
  constructor(name: string, limit: number) {
    super(409, 'collection_limit_reached', `collection "${name}" cannot be created: the app holds ${limit} collections, its limit (ARBOR_VECTOR_MAX_COLLECTIONS)`, [
      { field: 'collection', problem: `would be collection ${limit + 1}, over the limit of ${limit} (ARBOR_VECTOR_MAX_COLLECTIONS); drop one or raise the limit` },
    ]);
  }
}

function fromDocument({ name, uid, createdAt, dimension, metric, shards, m, efConstruction }: CollectionDocument): Collection {
  return { name, uid, createdAt, dimension, metric, shards, m, efConstruction };
}

/**
 * Creates a collection, or answers the existing one when the spec is the same. A different
 * spec is a 409 naming each field: a collection's shape cannot change under its items.
 */
export async function putCollection(services: Services, name: string, spec: CollectionSpec, now: Date): Promise<{ collection: Collection; created: boolean }> {
  const existing = await getCollection(services, name);
  if (existing) {
    const changed = (Object.keys(spec) as Array<keyof CollectionSpec>).filter((key) => spec[key] !== existing[key]);
    if (changed.length) {
      throw new ConflictError(
        `collection "${name}" exists with another ${changed.join(', ')}; delete it first to change them`,
        changed.map((key) => ({ field: key, problem: `is ${String(existing[key])}, not ${String(spec[key])}` })),
      );
    }
    return { collection: existing, created: false };
  }
  // Counted before creating: creations racing each other can pass together, so the limit may be
  // overshot by the number of concurrent creates; it bounds growth, it is not a quota ledger.
  const limit = services.settings.ARBOR_VECTOR_MAX_COLLECTIONS;
  if ((await collectionIds(services).query('SELECT c.id FROM c')).length >= limit) throw new CollectionLimitError(name, limit);
  const collection: Collection = { name, ...spec, uid: randomBytes(6).toString('hex'), createdAt: now.toISOString() };
  try {
    await collections(services).create({ ...collection, id: name });
  } catch (error) {
    if ((error as { code?: unknown }).code === 409) return putCollection(services, name, spec, now);
    throw error;
  }
  return { collection, created: true };
}

export async function getCollection(services: Services, name: string): Promise<Collection | undefined> {
  const document = await collections(services).read(name, name);
  return document ? fromDocument(document) : undefined;
}

export async function listCollections(services: Services): Promise<Collection[]> {
  return (await collections(services).query('SELECT * FROM c ORDER BY c.name')).map(fromDocument);
}

export async function deleteCollectionDocument(services: Services, name: string): Promise<boolean> {
  return collections(services).delete(name, name);
}
