import { describe, expect, it } from 'vitest';
import { ArborError, BadRequestError, ConflictError, ValidationError } from '../../../shared/platform/errors.js';
import type { Collection } from '../../../shared/vectors/collections.js';
import { decodeShardAnswer, encodeShardAnswer } from '../../../shared/vectors/shard-search-answer.js';
import { create, toBinary } from '@bufbuild/protobuf';
import { ShardSearchRequestSchema, type ShardSearchRequest } from '../../../shared/platform/generated/arbor/vectors/v1/shard_search_pb.js';
import { encodeShardQuery, protobufContentType, readShardSearchBody, shardQueryOf } from '../../../shared/vectors/shard-search-request.js';

const collection: Collection = {
  name: 'docs',
  uid: 'u1',
  createdAt: '2026-01-01T00:00:00.000Z',
  dimension: 3,
  metric: 'cosine',
  shards: 2,
  m: 16,
  efConstruction: 200,
};

const message = (fields: Partial<Pick<ShardSearchRequest, 'vector' | 'k' | 'ef' | 'filterJson' | 'collectionUid' | 'collection' | 'shard'>> = {}): ShardSearchRequest =>
  create(ShardSearchRequestSchema, { vector: [1, 0, 0], k: 5, ef: 0, filterJson: '', collectionUid: 'u1', ...fields });

/** The error a call throws, so its fields can be checked. */
function thrown(call: () => unknown): ArborError {
  try {
    call();
  } catch (error) {
    if (error instanceof ArborError) return error;
    throw error;
  }
  throw new Error('expected the call to throw');
}

const fieldsOf = (error: ArborError) => (error.details as Array<{ field: string }>).map((d) => d.field);

describe('the shard-search request', () => {
  it('round-trips a query through the body the fan-out sends', () => {
    const query = { vector: Float32Array.from([0.5, 0.25, -1]), k: 8, ef: 120, filter: { color: 'red', year: { gte: 2020 } } };
    const decoded = readShardSearchBody(protobufContentType, encodeShardQuery(query, 'u1'));
    expect(decoded.collectionUid).toBe('u1');
    expect(shardQueryOf(decoded, collection, 1)).toEqual(query);
  });

  it('asks HNSW for the default ef when the caller sends none', () => {
    expect(shardQueryOf(message({ k: 5 }), collection, 0).ef).toBe(100);
    expect(shardQueryOf(message({ k: 80 }), collection, 0).ef).toBe(160);
  });

  it('refuses a body that is not protobuf, naming the content type or the body', () => {
    const body = toBinary(ShardSearchRequestSchema, message());
    for (const contentType of [null, 'application/json']) {
      const error = thrown(() => readShardSearchBody(contentType, body));
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.code).toBe('unsupported_media_type');
      expect(fieldsOf(error)).toEqual(['content-type']);
    }
    const garbage = thrown(() => readShardSearchBody(protobufContentType, Uint8Array.from([0x0a, 0xff])));
    expect(garbage.code).toBe('invalid_protobuf');
    expect(fieldsOf(garbage)).toEqual(['(body)']);
  });

  it('names every bad field in one 400', () => {
    const error = thrown(() => shardQueryOf(message({ vector: [1, Number.NaN], k: 0 }), collection, 2));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.status).toBe(400);
    expect(fieldsOf(error).sort()).toEqual(['k', 'shard', 'vector', 'vector']);
  });

  it('refuses a filter that is not JSON with a 400 naming the filter', () => {
    const error = thrown(() => shardQueryOf(message({ filterJson: '{"color": ' }), collection, 0));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.details).toEqual([{ field: 'filter', problem: expect.stringMatching(/^is not valid JSON: /) }]);
  });

  it('refuses a filter of the wrong shape, naming the field inside it', () => {
    const error = thrown(() => shardQueryOf(message({ filterJson: '{"color": {"near": 1}}' }), collection, 0));
    expect(fieldsOf(error)).toContain('filter.color');
  });

  it('refuses a body whose collection or shard disagrees with the call', () => {
    const error = thrown(() => shardQueryOf(message({ collection: 'other', shard: 1 }), collection, 0));
    expect(fieldsOf(error).sort()).toEqual(['collection', 'shard']);
    expect(shardQueryOf(message({ collection: 'docs', shard: 1 }), collection, 1).k).toBe(5);
  });

  it('answers 409 when the collection was re-created since the caller resolved it', () => {
    const error = thrown(() => shardQueryOf(message({ collectionUid: 'u0' }), collection, 0));
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.details).toEqual([{ field: 'collection', problem: 'is now uid u1; query again' }]);
  });
});

describe('the shard-search answer', () => {
  it('round-trips hits with and without metadata', () => {
    const answer = {
      shard: 3,
      exact: true,
      items: 42,
      hits: [
        { id: 'a', score: 0.875, metadata: { color: 'red', year: 2021, ok: true, none: null } },
        { id: 'b', score: -0.5, metadata: null },
      ],
    };
    expect(decodeShardAnswer(encodeShardAnswer(answer))).toEqual(answer);
  });
});
