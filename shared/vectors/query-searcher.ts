import type { Services } from '../platform/services.js';
import type { Collection } from './collections.js';
import type { ShardSearcher } from './fanout.js';
import { httpShardSearcher } from './searchers/http.js';
import { inProcessSearcher } from './searchers/in-process.js';
import { localFirstSearcher } from './searchers/local-first.js';

/**
 * The app's own address from configuration. The Host header is the caller's to choose: a fan-out
 * built from it would send the caller's key, and the query, wherever the caller pointed it.
 */
function selfUrl(configured: string | undefined): URL {
  if (!configured) throw new Error('ARBOR_SELF_URL is not set: the http fan-out needs the app\'s own address (the local host sets it; infra/ sets it in Azure)');
  return new URL(configured);
}

/**
 * How a query reaches its shards, as ARBOR_VECTOR_FANOUT says: `http`, the shards this process
 * holds in process and the others through the shard-search function over HTTP (as in Azure, where
 * shards may be on other instances) with the caller's function key; or all in this process. The
 * HTTP query and VectorService.Query both use it.
 */
export function querySearcher(services: Services, collection: Collection, functionKey: string | null): ShardSearcher {
  return services.settings.ARBOR_VECTOR_FANOUT === 'http'
    ? localFirstSearcher(services, collection, httpShardSearcher(selfUrl(services.settings.ARBOR_SELF_URL), collection, functionKey))
    : inProcessSearcher(services, collection);
}
