import { messageOf } from '../platform/errors.js';
import type { Collection } from './collections.js';
import type { Filter, Metadata } from './filter.js';
import { vectorPartialQueries, vectorQueryDuration } from './metrics.js';
import type { QueryRequest } from './requests.js';
import { mergeTopK } from './scoring.js';
import type { ShardHit } from './shard.js';

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

/**
 * Runs one shard's search wherever it lives: in this process (`searchers/in-process.ts`) or
 * through the shard-search function over HTTP (`searchers/http.ts`).
 */
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
