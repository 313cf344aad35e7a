import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { z } from 'zod';
import { BadRequestError, ConflictError, ValidationError, messageOf, type ErrorDetail } from '../platform/errors.js';
import { zodDetails } from '../platform/validation-errors.js';
import type { Collection } from './collections.js';
import { defaultEf, type ShardQuery } from './fanout.js';
import { filterSchema, type Filter } from './filter.js';
import { limits } from './requests.js';
import { ShardSearchRequestSchema, type ShardSearchRequest } from '../platform/generated/arbor/vectors/v1/shard_search_pb.js';

/**
 * The shard-search call's request (proto/arbor/vectors/v1/shard_search.proto) on both ends: the
 * fan-out encodes a ShardQuery; the shard-search function decodes the body and checks every
 * field against the collection before anything runs. A caller's mistake is a 400 naming the
 * field, never a 500.
 */

/** The shard-search function's content type, both ways. */
export const protobufContentType = 'application/x-protobuf';

/** The `{shard}` route parameter. */
export const shardNumber = z.string().regex(/^\d{1,3}$/, 'must be a shard number');

export function encodeShardQuery(query: ShardQuery, collectionUid: string): Uint8Array {
  return toBinary(ShardSearchRequestSchema, shardSearchRequestOf(query, collectionUid));
}

/** The message for one shard's search (the generated type; VectorService.ShardSearch also names collection and shard). */
export function shardSearchRequestOf(query: ShardQuery, collectionUid: string, target?: { collection: string; shard: number }): ShardSearchRequest {
  return create(ShardSearchRequestSchema, {
    vector: Array.from(query.vector),
    k: query.k,
    ef: query.ef,
    filterJson: query.filter ? JSON.stringify(query.filter) : '',
    collectionUid,
    ...(target ?? {}),
  });
}

/** The protobuf message in a request body: a 400 for another content type or bytes that are not one. */
export function readShardSearchBody(contentType: string | null, body: Uint8Array): ShardSearchRequest {
  const type = contentType ?? '';
  if (!type.startsWith(protobufContentType)) {
    throw new BadRequestError('unsupported_media_type', `the body must be protobuf (content-type: ${protobufContentType})`, [
      { field: 'content-type', problem: type ? `is "${type}"` : 'is missing' },
    ]);
  }
  try {
    return fromBinary(ShardSearchRequestSchema, body);
  } catch (error) {
    throw new BadRequestError('invalid_protobuf', `the body is not a ShardSearchRequest: ${String(error)}`, [{ field: '(body)', problem: String(error) }]);
  }
}

/**
 * The query a message asks of one shard, checked against the collection it resolved to: a 409
 * when the collection was re-created since the caller resolved it, else a 400 naming every bad
 * field (shard, vector, k, filter).
 */
export function shardQueryOf(message: ShardSearchRequest, collection: Collection, shard: number): ShardQuery {
  const problems: ErrorDetail[] = [];
  if (shard >= collection.shards) problems.push({ field: 'shard', problem: `must be below ${collection.shards}` });
  if (message.collection && message.collection !== collection.name) problems.push({ field: 'collection', problem: `is "${message.collection}", the call is for "${collection.name}"` });
  if (message.shard && message.shard !== shard) problems.push({ field: 'shard', problem: `is ${message.shard}, the call is for shard ${shard}` });
  if (message.collectionUid && message.collectionUid !== collection.uid) {
    throw new ConflictError(`collection "${collection.name}" was re-created since the query resolved it`, [
      { field: 'collection', problem: `is now uid ${collection.uid}; query again` },
    ]);
  }
  if (message.vector.length !== collection.dimension) problems.push({ field: 'vector', problem: `must have ${collection.dimension} numbers` });
  if (message.vector.some((value) => !Number.isFinite(value))) problems.push({ field: 'vector', problem: 'must hold finite numbers only' });
  if (message.k < 1 || message.k > limits.maxK * 2) problems.push({ field: 'k', problem: `must be between 1 and ${limits.maxK * 2}` });
  const filter = message.filterJson ? parseFilter(message.filterJson, problems) : undefined;
  if (problems.length) throw new ValidationError(problems);
  return { vector: Float32Array.from(message.vector), k: message.k, ef: message.ef || defaultEf(message.k), ...(filter ? { filter } : {}) };
}

function parseFilter(filterJson: string, problems: ErrorDetail[]): Filter | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(filterJson);
  } catch (error) {
    problems.push({ field: 'filter', problem: `is not valid JSON: ${messageOf(error)}` });
    return undefined;
  }
  const parsed = filterSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  problems.push(...zodDetails(parsed.error.issues, 'filter'));
  return undefined;
}
