import { describe, expect, it } from 'vitest';
import { compileFilter, filterSchema } from '../../../shared/vectors/filter.js';
import { ValidationError } from '../../../shared/platform/errors.js';
import { collectionSpec, limits, parseUpsert, queryRequest, upsertRequest } from '../../../shared/vectors/requests.js';
import { shardOf } from '../../../shared/vectors/routing.js';
import { mergeTopK, scoreFromDistance } from '../../../shared/vectors/scoring.js';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ShardSearchRequestSchema, ShardSearchResponseSchema } from '../../../shared/platform/generated/arbor/vectors/v1/shard_search_pb.js';
import { decodeRecords, encodeRecord } from '../../../shared/vectors/shard-log.js';

describe('shard routing', () => {
  it('is a stable FNV-1a hash: fixed answers that must never change', () => {
    // FNV-1a 32 of "a" is 0xe40c292c, of "" 0x811c9dc5: any change would strand stored items.
    expect(shardOf('a', 1_000_000)).toBe(0xe40c292c % 1_000_000);
    expect(shardOf('', 7)).toBe(0x811c9dc5 % 7);
    // FNV-1a 32 of "doc-42" is 0xe5108b92 (worked out with the BigInt reference in routing.test.ts).
    expect(shardOf('doc-42', 4)).toBe(0xe5108b92 % 4);
  });

  it('spreads ids over every shard', () => {
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4_000; i++) counts[shardOf(`item-${i}`, 4)]! += 1;
    for (const count of counts) expect(count).toBeGreaterThan(800);
  });
});

describe('top-k merge', () => {
  it('keeps the global best k, higher first for cosine and lower first for l2', () => {
    const a = [{ id: 'a1', score: 0.9 }, { id: 'a2', score: 0.5 }];
    const b = [{ id: 'b1', score: 0.7 }, { id: 'b2', score: 0.6 }];
    expect(mergeTopK('cosine', [a, b], 3).map((h) => h.id)).toEqual(['a1', 'b1', 'b2']);
    expect(mergeTopK('l2', [a, b], 2).map((h) => h.id)).toEqual(['a2', 'b2']);
    // Inner product is a similarity too: larger dot products first, negative ones last.
    const c = [{ id: 'c1', score: 12.5 }, { id: 'c2', score: -3 }];
    const d = [{ id: 'd1', score: 40 }, { id: 'd2', score: 0 }];
    expect(mergeTopK('ip', [c, d], 3).map((h) => h.id)).toEqual(['d1', 'c1', 'd2']);
    // Equal scores are ordered by id, so a merge is the same whatever order shards answer in.
    expect(mergeTopK('cosine', [[{ id: 'z', score: 0.5 }], [{ id: 'y', score: 0.5 }]], 2).map((h) => h.id)).toEqual(['y', 'z']);
  });

  it('reports cosine similarity, inner product and Euclidean distance from engine distances', () => {
    expect(scoreFromDistance('cosine', 0.25)).toBeCloseTo(0.75);
    expect(scoreFromDistance('ip', -2)).toBeCloseTo(3);
    expect(scoreFromDistance('l2', 9)).toBeCloseTo(3);
  });
});

describe('metadata filters', () => {
  const match = compileFilter(filterSchema.parse({ color: 'red', year: { gte: 2020, lt: 2024 }, tag: { in: ['a', 'b'] } }))!;

  it('ANDs equality, ranges and in', () => {
    expect(match({ color: 'red', year: 2021, tag: 'a' })).toBe(true);
    expect(match({ color: 'red', year: 2024, tag: 'a' })).toBe(false);
    expect(match({ color: 'blue', year: 2021, tag: 'a' })).toBe(false);
    expect(match({ color: 'red', year: 2021, tag: 'c' })).toBe(false);
  });

  it('never matches a missing field or another type', () => {
    expect(match({ color: 'red', tag: 'a' })).toBe(false);
    expect(match({ color: 'red', year: '2021', tag: 'a' })).toBe(false);
  });

  it('refuses an empty condition', () => {
    expect(filterSchema.safeParse({ year: {} }).success).toBe(false);
  });
});

describe('request validation', () => {
  const upsert = upsertRequest(3);

  it('names the item and problem for a wrong dimension, a non-finite number and a duplicate id', () => {
    const body = {
      items: [
        { id: 'a', vector: [1, 2] },
        { id: 'b', vector: [1, Infinity, 3] },
        { id: 'a', vector: [1, 2, 3] },
      ],
    };
    let error: unknown;
    try {
      parseUpsert(3, body);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const fields = (error as ValidationError).details as Array<{ field: string; problem: string }>;
    expect(fields.map((d) => d.field)).toEqual(expect.arrayContaining(['items[0].vector', 'items[1].vector[1]', 'items[2].id']));
    expect(fields.find((d) => d.field === 'items[2].id')?.problem).toMatch(/duplicates items\[0\]\.id/);
  });

  it('refuses oversized batches and metadata', () => {
    const many = Array.from({ length: limits.maxBatchItems + 1 }, (_, i) => ({ id: `i${i}`, vector: [0, 0, 1] }));
    expect(upsert.safeParse({ items: many }).success).toBe(false);
    const big = { id: 'x', vector: [0, 0, 1], metadata: { text: 'x'.repeat(limits.maxMetadataBytes) } };
    expect(upsert.safeParse({ items: [big] }).success).toBe(false);
  });

  it('defaults m and efConstruction and bounds k', () => {
    expect(collectionSpec.parse({ dimension: 8, metric: 'l2', shards: 2 })).toMatchObject({ m: 16, efConstruction: 200 });
    expect(queryRequest(3).safeParse({ vector: [1, 2, 3], k: 0 }).success).toBe(false);
  });
});

describe('wire formats', () => {
  it('round-trips the shard-search protobuf messages (generated code)', () => {
    const request = create(ShardSearchRequestSchema, { vector: [0.5, -1.25, 3], k: 17, ef: 120, filterJson: '{"color":"red"}', collectionUid: 'abc123' });
    expect(fromBinary(ShardSearchRequestSchema, toBinary(ShardSearchRequestSchema, request))).toEqual(request);
    const response = create(ShardSearchResponseSchema, { shard: 3, exact: true, items: 1_234, hits: [{ id: 'x', score: 0.123456789, metadataJson: '{"a":1}' }, { id: 'y', score: -2 }] });
    expect(fromBinary(ShardSearchResponseSchema, toBinary(ShardSearchResponseSchema, response))).toEqual(response);
  });

  // The bytes below are what the hand encoder this replaced wrote, field by field: an instance
  // still running the old build and one running this build understand each other.
  it('encodes field 1 of a request as a packed float32 run (proto3 wire format)', () => {
    const bytes = toBinary(ShardSearchRequestSchema, create(ShardSearchRequestSchema, { vector: [1], k: 1 }));
    // tag 1/LEN, length 4, 1.0f little-endian, tag 2/VARINT, 1
    expect([...bytes]).toEqual([0x0a, 0x04, 0x00, 0x00, 0x80, 0x3f, 0x10, 0x01]);
  });

  it('decodes an unpacked float, and skips fields it does not know', () => {
    // tag 1/I32 1.0f, tag 2/VARINT 3, tag 15/VARINT 9 (unknown)
    const message = fromBinary(ShardSearchRequestSchema, Uint8Array.from([0x0d, 0x00, 0x00, 0x80, 0x3f, 0x10, 0x03, 0x78, 0x09]));
    expect(message.vector).toEqual([1]);
    expect(message.k).toBe(3);
  });

  it('writes and reads a response byte for byte as before', () => {
    // hits[0] = { id: "x", score: 0.5 }, shard 3, exact, items 42
    const bytes = [0x0a, 0x0c, 0x0a, 0x01, 0x78, 0x11, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f, 0x10, 0x03, 0x18, 0x01, 0x20, 0x2a];
    const response = create(ShardSearchResponseSchema, { hits: [{ id: 'x', score: 0.5 }], shard: 3, exact: true, items: 42 });
    expect([...toBinary(ShardSearchResponseSchema, response)]).toEqual(bytes);
    expect(fromBinary(ShardSearchResponseSchema, Uint8Array.from(bytes))).toEqual(response);
  });

  it('round-trips log records exactly, vectors bit for bit', () => {
    const vector = Float32Array.from([Math.PI, -0, 1e-30]);
    const text = encodeRecord({ seq: 5, op: 'upsert', items: [{ id: 'a', vector, metadata: { k: 'v' } }] }) + encodeRecord({ seq: 6, op: 'delete', ids: ['a'] });
    const [upsert, del] = decodeRecords(text, 'test');
    expect(upsert).toMatchObject({ seq: 5, op: 'upsert', items: [{ id: 'a', metadata: { k: 'v' } }] });
    expect(upsert?.op === 'upsert' && [...upsert.items[0]!.vector]).toEqual([...vector]);
    expect(del).toEqual({ seq: 6, op: 'delete', ids: ['a'] });
  });
});
