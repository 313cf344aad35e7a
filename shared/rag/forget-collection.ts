import type { Cluster, Redis } from 'ioredis';
import { z } from 'zod';
import type { Services } from '../platform/services.js';
import { callDependency } from '../storage/dependency.js';
import { cosmosRepository } from '../storage/cosmos.js';
import { ragDocumentsContainer } from './documents.js';

/** Keys deleted per round trip. */
const keysPerDelete = 500;

/** `*`, `?`, `[`, `]` and `\` stand for themselves in a SCAN pattern only when escaped. */
const globEscaped = (text: string) => text.replace(/[*?[\]\\]/g, (ch) => `\\${ch}`);

/**
 * Everything RAG keeps for a collection beside its vectors: the document records (Cosmos
 * `rag-documents`, partition = collection) and the Redis keys `r:{<collection>}:*` (the BM25
 * index) and `r:<collection>:*` (chunk payloads, and an index from before hash tags). Run when the collection is dropped, so a dropped collection
 * leaves nothing behind and one created again under the same name starts empty (a stale
 * record would otherwise answer `unchanged` for a document whose vectors are gone).
 */
export async function forgetRagCollection(services: Services, collection: string): Promise<{ documents: number; keys: number }> {
  const records = cosmosRepository(services.cosmos, ragDocumentsContainer, z.object({ id: z.string() }));
  let documents = 0;
  for (const { id } of await records.query('SELECT c.id FROM c', { partitionKey: collection })) if (await records.delete(id, collection)) documents++;

  // SCAN patterns are not prefixed by the client; the keys it returns carry the prefix, which UNLINK adds again.
  const prefix = services.settings.REDIS_KEY_PREFIX;
  const redis = services.redis;
  // A cluster client sends SCAN to one node: every master is scanned. Keys from one node may be
  // in several slots, so each UNLINK names one key; auto-pipelining sends a batch as one pipeline.
  const nodes = redis.isCluster ? (redis as Cluster).nodes('master') : [redis as Redis];
  const patterns = [`${globEscaped(prefix)}r:{${globEscaped(collection)}}:*`, `${globEscaped(prefix)}r:${globEscaped(collection)}:*`];
  const keys = await callDependency('redis', async () => {
    let deleted = 0;
    for (const node of nodes) {
      for (const pattern of patterns) {
        let cursor = '0';
        do {
          const [next, found] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1_000);
          cursor = next;
          const names = found.map((key) => key.slice(prefix.length));
          for (let start = 0; start < names.length; start += keysPerDelete) {
            const removed = await Promise.all(names.slice(start, start + keysPerDelete).map((name) => redis.unlink(name)));
            deleted += removed.reduce((sum, n) => sum + n, 0);
          }
        } while (cursor !== '0');
      }
    }
    return deleted;
  });
  return { documents, keys };
}
