import { messageOf } from '../../platform/errors.js';
import type { Collection } from '../collections.js';
import type { ShardAnswer, ShardSearcher } from '../fanout.js';
import { decodeShardAnswer } from '../shard-search-answer.js';
import { encodeShardQuery, protobufContentType } from '../shard-search-request.js';

/**
 * Calls the shard-search function over HTTP with protobuf bodies, on the same app the query came
 * in to (`origin`), forwarding the caller's function key. In Azure each call may land on another
 * instance, which loads that shard once and keeps it.
 */
export function httpShardSearcher(origin: URL, collection: Collection, functionKey: string | null): ShardSearcher {
  const base = `${origin.protocol}//${origin.host}/api/collections/${encodeURIComponent(collection.name)}/shards`;
  return async (shard, query, signal): Promise<ShardAnswer> => {
    const response = await fetch(`${base}/${shard}/search`, {
      method: 'POST',
      headers: { 'content-type': protobufContentType, ...(functionKey ? { 'x-functions-key': functionKey } : {}) },
      body: encodeShardQuery(query, collection.uid),
      signal,
    });
    if (response.status !== 200) {
      let reason = `HTTP ${response.status}`;
      try {
        const error = (await response.json()) as { error?: { message?: string } };
        if (error.error?.message) reason += `: ${error.error.message}`;
      } catch (parseError) {
        reason += ` (${messageOf(parseError)})`;
      }
      throw new Error(reason);
    }
    return decodeShardAnswer(new Uint8Array(await response.arrayBuffer()));
  };
}
