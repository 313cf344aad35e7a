import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { ConflictError } from '../platform/errors.js';
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
      throw new ConflictError(`collection "${name}" exists with another ${changed.join(', ')}; delete it first to change them`, {
        fields: Object.fromEntries(changed.map((key) => [key, { existing: existing[key], requested: spec[key] }])),
      });
    }
    return { collection: existing, created: false };
  }
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
