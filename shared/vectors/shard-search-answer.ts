import type { ShardAnswer } from './fanout.js';
import type { Metadata } from './filter.js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ShardSearchResponseSchema, type ShardSearchResponse } from '../platform/generated/arbor/vectors/v1/shard_search_pb.js';

/**
 * The shard-search call's answer on both ends: a shard's hits with their metadata as JSON text,
 * as proto/arbor/vectors/v1/shard_search.proto carries them.
 */
export function shardSearchResponseOf(answer: ShardAnswer): ShardSearchResponse {
  return create(ShardSearchResponseSchema, {
    shard: answer.shard,
    exact: answer.exact,
    items: answer.items,
    hits: answer.hits.map((hit) => ({ id: hit.id, score: hit.score, metadataJson: hit.metadata ? JSON.stringify(hit.metadata) : '' })),
  });
}

export function encodeShardAnswer(answer: ShardAnswer): Uint8Array {
  return toBinary(ShardSearchResponseSchema, shardSearchResponseOf(answer));
}

export function decodeShardAnswer(bytes: Uint8Array): ShardAnswer {
  return shardAnswerOf(fromBinary(ShardSearchResponseSchema, bytes));
}

export function shardAnswerOf(message: ShardSearchResponse): ShardAnswer {
  return {
    shard: message.shard,
    exact: message.exact,
    items: message.items,
    hits: message.hits.map((hit) => ({ id: hit.id, score: hit.score, metadata: hit.metadataJson ? (JSON.parse(hit.metadataJson) as Metadata) : null })),
  };
}
