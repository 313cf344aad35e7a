import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { describe, expect, it } from 'vitest';
import {
  decodeShardSearchRequest,
  decodeShardSearchResponse,
  encodeShardSearchRequest,
  encodeShardSearchResponse,
  type ShardSearchResponseMessage,
} from '../../../shared/vectors/shard-search-wire.js';

// The hand-written codec against protobuf-es's binary reader and writer, an independent
// implementation of the same wire format (proto/arbor/vectors/v1/shard_search.proto).

/** A request as protobuf-es writes it, fields in the order given. */
function referenceRequest(fields: { vector?: number[]; k?: number; ef?: number; filterJson?: string; collectionUid?: string }): Uint8Array {
  const writer = new BinaryWriter();
  if (fields.vector?.length) {
    writer.tag(1, WireType.LengthDelimited).fork();
    for (const value of fields.vector) writer.float(value);
    writer.join();
  }
  if (fields.k) writer.tag(2, WireType.Varint).uint32(fields.k);
  if (fields.ef) writer.tag(3, WireType.Varint).uint32(fields.ef);
  if (fields.filterJson) writer.tag(4, WireType.LengthDelimited).string(fields.filterJson);
  if (fields.collectionUid) writer.tag(5, WireType.LengthDelimited).string(fields.collectionUid);
  return writer.finish();
}

/** A response read back with protobuf-es's reader. */
function readReferenceResponse(bytes: Uint8Array): ShardSearchResponseMessage {
  const reader = new BinaryReader(bytes);
  const message: ShardSearchResponseMessage = { hits: [], shard: 0, exact: false, items: 0 };
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) {
      const hitReader = new BinaryReader(reader.bytes());
      const hit = { id: '', score: 0, metadataJson: '' };
      while (hitReader.pos < hitReader.len) {
        const [hitField, hitWire] = hitReader.tag();
        if (hitField === 1) hit.id = hitReader.string();
        else if (hitField === 2) hit.score = hitReader.double();
        else if (hitField === 3) hit.metadataJson = hitReader.string();
        else hitReader.skip(hitWire);
      }
      message.hits.push(hit);
    } else if (field === 2) message.shard = reader.uint32();
    else if (field === 3) message.exact = reader.bool();
    else if (field === 4) message.items = reader.uint32();
    else reader.skip(wireType);
  }
  return message;
}

describe('the shard-search wire format against protobuf-es', () => {
  it('writes a request byte for byte as protobuf-es does, omitting proto3 defaults', () => {
    const cases = [
      { vector: [0.5, -1.25, 3], k: 17, ef: 120, filterJson: '{"color":"red"}', collectionUid: 'abc123' },
      { vector: [1], k: 1, ef: 0, filterJson: '', collectionUid: '' },
      // Varints of 1, 2, 3, 4 and 5 bytes: 127, 128, 16384, 2^21, 2^32 - 1.
      { vector: [], k: 127, ef: 128, filterJson: 'é', collectionUid: '' },
      { vector: [2.5], k: 16_384, ef: 2_097_152, filterJson: '', collectionUid: 'u' },
      { vector: [-0.1], k: 4_294_967_295, ef: 0, filterJson: '', collectionUid: '🙂' },
      { vector: Array.from({ length: 40 }, (_, i) => i / 7), k: 0, ef: 0, filterJson: 'x'.repeat(300), collectionUid: '' },
    ];
    for (const fields of cases) {
      const message = { ...fields, vector: Float32Array.from(fields.vector) };
      expect([...encodeShardSearchRequest(message)]).toEqual([...referenceRequest(fields)]);
      const decoded = decodeShardSearchRequest(referenceRequest(fields));
      expect({ ...decoded, vector: [...decoded.vector] }).toEqual({ ...fields, vector: [...Float32Array.from(fields.vector)] });
    }
  });

  it('writes a response protobuf-es reads, and reads what protobuf-es writes', () => {
    const response: ShardSearchResponseMessage = {
      hits: [
        { id: 'x', score: 0.123456789, metadataJson: '{"a":1}' },
        { id: 'ÿ', score: -2.5e-300, metadataJson: '' },
        { id: '', score: 0, metadataJson: '' },
      ],
      shard: 300,
      exact: true,
      items: 1_234_567,
    };
    expect(readReferenceResponse(encodeShardSearchResponse(response))).toEqual(response);

    const writer = new BinaryWriter();
    for (const hit of response.hits) {
      writer.tag(1, WireType.LengthDelimited).fork();
      if (hit.id) writer.tag(1, WireType.LengthDelimited).string(hit.id);
      writer.tag(2, WireType.Bit64).double(hit.score);
      if (hit.metadataJson) writer.tag(3, WireType.LengthDelimited).string(hit.metadataJson);
      writer.join();
    }
    writer.tag(2, WireType.Varint).uint32(300).tag(3, WireType.Varint).bool(true).tag(4, WireType.Varint).uint32(1_234_567);
    expect(decodeShardSearchResponse(writer.finish())).toEqual(response);
  });

  it('omits false and zero in a response, and reads an empty message as all defaults', () => {
    const empty = { hits: [], shard: 0, exact: false, items: 0 };
    expect(encodeShardSearchResponse(empty)).toHaveLength(0);
    expect(decodeShardSearchResponse(new Uint8Array(0))).toEqual(empty);
    expect(decodeShardSearchRequest(new Uint8Array(0))).toEqual({ vector: new Float32Array(0), k: 0, ef: 0, filterJson: '', collectionUid: '' });
    // exact written as a varint 0 reads as false.
    expect(decodeShardSearchResponse(new BinaryWriter().tag(3, WireType.Varint).bool(false).finish()).exact).toBe(false);
  });

  it('reads unpacked floats and skips fields it does not know, of every wire type', () => {
    const writer = new BinaryWriter()
      .tag(9, WireType.Varint)
      .uint64(2n ** 60n)
      .tag(1, WireType.Bit32)
      .float(1.5)
      .tag(10, WireType.Bit64)
      .double(7)
      .tag(1, WireType.Bit32)
      .float(-2)
      .tag(11, WireType.LengthDelimited)
      .string('ignored')
      .tag(12, WireType.Bit32)
      .fixed32(5)
      .tag(2, WireType.Varint)
      .uint32(3)
      // A known field number with an unexpected wire type is skipped too.
      .tag(4, WireType.Varint)
      .uint32(1)
      .tag(5, WireType.Bit32)
      .fixed32(1)
      .tag(3, WireType.LengthDelimited)
      .string('no');
    const decoded = decodeShardSearchRequest(writer.finish());
    expect({ ...decoded, vector: [...decoded.vector] }).toEqual({ vector: [1.5, -2], k: 3, ef: 0, filterJson: '', collectionUid: '' });

    const hit = new BinaryWriter().tag(7, WireType.Varint).uint32(1).tag(1, WireType.LengthDelimited).string('h').tag(2, WireType.Bit32).fixed32(0).finish();
    const response = new BinaryWriter()
      .tag(1, WireType.LengthDelimited)
      .bytes(hit)
      .tag(8, WireType.Bit64)
      .double(1)
      .tag(2, WireType.LengthDelimited)
      .string('skip')
      .tag(4, WireType.Varint)
      .uint32(9)
      .finish();
    expect(decodeShardSearchResponse(response)).toEqual({ hits: [{ id: 'h', score: 0, metadataJson: '' }], shard: 0, exact: false, items: 9 });
  });

  it('skips a known field number written with another wire type, and unknown fields of every known wire type', () => {
    // Each known field of the request with a wire type it does not have, then unknown fields
    // with the wire types the known ones use: all skipped, so every field keeps its default.
    const request = new BinaryWriter()
      .tag(1, WireType.Varint).uint32(5)
      .tag(2, WireType.Bit32).fixed32(6)
      .tag(3, WireType.LengthDelimited).string('x')
      .tag(4, WireType.Bit64).double(1)
      .tag(5, WireType.Varint).uint32(7)
      .tag(6, WireType.Bit32).float(1)
      .tag(7, WireType.Varint).uint32(8)
      .tag(8, WireType.LengthDelimited).string('y')
      .finish();
    expect(decodeShardSearchRequest(request)).toEqual({ vector: new Float32Array(0), k: 0, ef: 0, filterJson: '', collectionUid: '' });

    const hit = new BinaryWriter()
      .tag(1, WireType.Varint).uint32(1)
      .tag(2, WireType.Bit32).fixed32(2)
      .tag(2, WireType.Varint).uint32(3)
      .tag(3, WireType.Bit64).double(4)
      .tag(4, WireType.LengthDelimited).string('z')
      .tag(5, WireType.Bit64).double(5)
      .tag(6, WireType.Bit32).fixed32(6)
      .finish();
    const response = new BinaryWriter()
      .tag(1, WireType.LengthDelimited).bytes(hit)
      .tag(1, WireType.Varint).uint32(9)
      .tag(2, WireType.LengthDelimited).string('w')
      .tag(3, WireType.Bit32).fixed32(1)
      .tag(4, WireType.Bit64).double(2)
      .tag(5, WireType.Varint).uint32(3)
      .tag(6, WireType.LengthDelimited).string('v')
      .finish();
    expect(decodeShardSearchResponse(response)).toEqual({ hits: [{ id: '', score: 0, metadataJson: '' }], shard: 0, exact: false, items: 0 });
  });

  it('refuses truncated input, groups and overlong varints', () => {
    const whole = encodeShardSearchRequest({ vector: Float32Array.from([1, 2]), k: 300, ef: 0, filterJson: 'abc', collectionUid: '' });
    // Cut inside the packed floats, inside the k varint, inside the string.
    expect(() => decodeShardSearchRequest(whole.subarray(0, 5))).toThrow('truncated field');
    expect(() => decodeShardSearchRequest(whole.subarray(0, 12))).toThrow('truncated varint');
    expect(() => decodeShardSearchRequest(whole.subarray(0, whole.length - 1))).toThrow('truncated field');
    expect(() => decodeShardSearchRequest(Uint8Array.from([0x0d, 0, 0]))).toThrow('truncated field');
    expect(() => decodeShardSearchResponse(Uint8Array.from([0x11, 0, 0, 0]))).toThrow('truncated field');
    // Wire types 3 and 4 (groups) and 6, 7 are not proto3.
    expect(() => decodeShardSearchRequest(Uint8Array.from([(9 << 3) | 3]))).toThrow('unsupported wire type 3');
    expect(() => decodeShardSearchResponse(Uint8Array.from([(9 << 3) | 4]))).toThrow('unsupported wire type 4');
    expect(() => decodeShardSearchRequest(Uint8Array.from([(9 << 3) | 6]))).toThrow('unsupported wire type 6');
    // Ten continuation bytes: a varint may not be longer than 64 bits.
    expect(() => decodeShardSearchRequest(Uint8Array.from([0x10, ...new Array(10).fill(0xff), 0x01]))).toThrow('varint too long');
    // Nine continuation bytes and a last one is the longest legal varint.
    expect(decodeShardSearchRequest(Uint8Array.from([0x10, ...new Array(9).fill(0x80), 0x01])).k).toBe(0);
  });
});
