import { ConflictError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { getCollection, putCollection } from '../vectors/collections.js';
import type { Filter } from '../vectors/filter.js';
import { limits } from '../vectors/requests.js';
import { queryableCollection, requireCollection } from '../vectors/collection-cache.js';
import { queryCollection } from '../vectors/fanout.js';
import { deleteItem, upsertItems } from '../vectors/item-writes.js';
import { inProcessSearcher } from '../vectors/searchers/in-process.js';
import type { ChunkVectors } from './chunk-vectors.js';

/** RAG collections: cosine, two shards (a query uses both cores), the vector defaults otherwise. */
const ragCollectionShape = { metric: 'cosine' as const, shards: 2, m: 16, efConstruction: 200 };

/**
 * Chunks in Arbor's vector search. Queries search the shards in this process: RAG runs where
 * the shards are loaded, so the shard-search hop would add a round trip and nothing else.
 */
export function vectorSearchChunks(services: Services): ChunkVectors {
  return {
    async ensureCollection(name, dimension) {
      const existing = await getCollection(services, name);
      if (existing && existing.dimension !== dimension) {
        throw new ConflictError(`collection "${name}" holds ${existing.dimension}-dimension vectors; the embedder makes ${dimension}`, [
          { field: 'collection', problem: `holds ${existing.dimension}-dimension vectors, not the ${dimension} the embedder makes` },
        ]);
      }
      if (!existing) await putCollection(services, name, { dimension, ...ragCollectionShape }, new Date());
    },
    async exists(name) {
      return Boolean(await getCollection(services, name));
    },
    async upsert(name, items) {
      const collection = await requireCollection(services, name);
      for (let i = 0; i < items.length; i += limits.maxBatchItems) {
        const batch = items.slice(i, i + limits.maxBatchItems);
        await upsertItems(services, collection, { items: batch.map((item) => ({ id: item.id, vector: Array.from(item.vector), metadata: item.metadata })) });
      }
    },
    async remove(name, ids) {
      const collection = await getCollection(services, name);
      if (!collection) return;
      await Promise.all(ids.map((id) => deleteItem(services, collection, id)));
    },
    async query(name, vector, k, filter) {
      const collection = await queryableCollection(services, name);
      const answer = await queryCollection(
        collection,
        { vector: Array.from(vector), k, ...(filter ? { filter: filter as Filter } : {}) },
        inProcessSearcher(services, collection),
        services.settings.ARBOR_VECTOR_SHARD_TIMEOUT_MS,
      );
      return answer.results.map((hit) => ({ id: hit.id, score: hit.score }));
    },
  };
}
