import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import { forgetCollection } from './collection-cache.js';
import { deleteCollectionDocument, getCollection, type Collection } from './collections.js';
import { collectionPrefix, vectorsContainer } from './layout.js';
import { disposeCollectionShards, openShard } from './shard-cache.js';
import type { ShardStats } from './shard.js';

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

/** Drops a collection: its document first (so nothing new finds it), then its shards and blobs. */
export async function dropCollection(services: Services, name: string): Promise<boolean> {
  const collection = await getCollection(services, name);
  if (!collection) return false;
  await deleteCollectionDocument(services, name);
  forgetCollection(services, collection);
  disposeCollectionShards(name);
  await services.ensureContainer(vectorsContainer);
  const container = services.blob.getContainerClient(vectorsContainer);
  await callDependency('blob', async () => {
    for await (const blob of container.listBlobsFlat({ prefix: collectionPrefix(collection.name, collection.uid) })) {
      await container.getBlobClient(blob.name).deleteIfExists();
    }
  });
  return true;
}
