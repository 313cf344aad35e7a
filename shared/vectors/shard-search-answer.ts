import type { ShardAnswer } from './fanout.js';
import type { Metadata } from './filter.js';
import { decodeShardSearchResponse, encodeShardSearchResponse } from './shard-search-wire.js';

/**
 * The shard-search call's answer on both ends: a shard's hits with their metadata as JSON text,
 * as proto/arbor/vectors/v1/shard_search.proto carries them.
 */
export function encodeShardAnswer(answer: ShardAnswer): Uint8Array {
  return encodeShardSearchResponse({
    shard: answer.shard,
    exact: answer.exact,
    items: answer.items,
    hits: answer.hits.map((hit) => ({ id: hit.id, score: hit.score, metadataJson: hit.metadata ? JSON.stringify(hit.metadata) : '' })),
  });
}

export function decodeShardAnswer(bytes: Uint8Array): ShardAnswer {
  const message = decodeShardSearchResponse(bytes);
  return {
    shard: message.shard,
    exact: message.exact,
    items: message.items,
    hits: message.hits.map((hit) => ({ id: hit.id, score: hit.score, metadata: hit.metadataJson ? (JSON.parse(hit.metadataJson) as Metadata) : null })),
  };
}
