import type { Services } from '../../platform/services.js';
import type { Collection } from '../collections.js';
import type { ShardAnswer, ShardQuery, ShardSearcher } from '../fanout.js';
import { vectorShardSearchDuration } from '../metrics.js';
import { syncedShard } from '../shard-cache.js';

/** Searches one shard in this process, loading it on first touch. */
export async function searchShard(services: Services, collection: Collection, shard: number, query: ShardQuery): Promise<ShardAnswer> {
  const opened = await syncedShard(services, collection, shard);
  const started = performance.now();
  const result = opened.search(query.vector, query.k, query.ef, query.filter);
  vectorShardSearchDuration.observe({ collection: collection.name, shard: String(shard) }, (performance.now() - started) / 1000);
  return { shard, hits: result.hits, exact: result.exact, items: opened.live };
}

/** The in-process searcher: every shard in this process. */
export function inProcessSearcher(services: Services, collection: Collection): ShardSearcher {
  return (shard, query) => searchShard(services, collection, shard, query);
}
