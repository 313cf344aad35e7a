import type { Services } from '../../platform/services.js';
import type { Collection } from '../collections.js';
import type { ShardSearcher } from '../fanout.js';
import { holdsShard } from '../shard-cache.js';
import { searchShard } from './in-process.js';

/**
 * Searches the shards this process already holds in process, and asks for the others through
 * `remote` (the shard-search function over HTTP, which in Azure may land on another instance and
 * load the shard there). A shard loaded here by a write or an earlier search costs no HTTP round
 * trip, no protobuf and no second invocation: the query does what the design card's shard function
 * would do if it landed here.
 */
export function localFirstSearcher(services: Services, collection: Collection, remote: ShardSearcher): ShardSearcher {
  return (shard, query, signal) => (holdsShard(collection, shard) ? searchShard(services, collection, shard, query) : remote(shard, query, signal));
}
