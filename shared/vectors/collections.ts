import { randomBytes } from 'node:crypto';
import { callDependency } from '../storage/dependency.js';
import { ConflictError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import type { ContainerDefinition } from '../storage/cosmos.js';
import type { CollectionSpec } from './requests.js';

/** Collections in Cosmos DB: one small document per collection, read by id. */
export const vectorCollectionsContainer: ContainerDefinition = { id: 'vector-collections', partitionKey: '/name' };

export interface Collection extends CollectionSpec {
  name: string;
  /** New on every create: names the collection's blobs, so a re-created one starts empty. */
  uid: string;
  createdAt: string;
}

interface CollectionDocument extends Collection {
  id: string;
}

function fromDocument({ name, uid, createdAt, dimension, metric, shards, m, efConstruction }: CollectionDocument): Collection {
  return { name, uid, createdAt, dimension, metric, shards, m, efConstruction };
}

/**
 * Creates a collection, or answers the existing one when the spec is the same. A different
 * spec is a 409 naming each field: a collection's shape cannot change under its items.
 */
export async function putCollection(services: Services, name: string, spec: CollectionSpec, now: Date): Promise<{ collection: Collection; created: boolean }> {
  return callDependency('cosmos', async () => {
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
    const container = await services.cosmos.container(vectorCollectionsContainer);
    try {
      await container.items.create<CollectionDocument>({ ...collection, id: name });
    } catch (error) {
      if ((error as { code?: unknown }).code === 409) return putCollection(services, name, spec, now);
      throw error;
    }
    return { collection, created: true };
  });
}

export async function getCollection(services: Services, name: string): Promise<Collection | undefined> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(vectorCollectionsContainer);
    const { resource } = await container.item(name, name).read<CollectionDocument>();
    return resource ? fromDocument(resource) : undefined;
  });
}

export async function listCollections(services: Services): Promise<Collection[]> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(vectorCollectionsContainer);
    const { resources } = await container.items.query<CollectionDocument>('SELECT * FROM c ORDER BY c.name').fetchAll();
    return resources.map(fromDocument);
  });
}

export async function deleteCollectionDocument(services: Services, name: string): Promise<boolean> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(vectorCollectionsContainer);
    try {
      await container.item(name, name).delete();
      return true;
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return false;
      throw error;
    }
  });
}
