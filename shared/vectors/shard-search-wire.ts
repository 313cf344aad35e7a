/**
 * Protobuf encoding of proto/arbor/vectors/v1/shard_search.proto, by hand: four wire types are
 * all these messages use (varint, 64-bit, length-delimited, 32-bit), and the shard-search call
 * is on every query's path, so it stays small and dependency-free.
 */
export interface ShardSearchRequestMessage {
  vector: Float32Array;
  k: number;
  ef: number;
  filterJson: string;
  collectionUid: string;
}

export interface HitMessage {
  id: string;
  score: number;
  metadataJson: string;
}

export interface ShardSearchResponseMessage {
  hits: HitMessage[];
  shard: number;
  exact: boolean;
  items: number;
}

export const protobufContentType = 'application/x-protobuf';

class Writer {
  private chunks: Uint8Array[] = [];
  private scratch = new DataView(new ArrayBuffer(8));

  varint(value: number): this {
    let v = value >>> 0;
    const bytes: number[] = [];
    while (v > 0x7f) {
      bytes.push((v & 0x7f) | 0x80);
      v >>>= 7;
    }
    bytes.push(v);
    this.chunks.push(Uint8Array.from(bytes));
    return this;
  }

  tag(field: number, wireType: number): this {
    return this.varint((field << 3) | wireType);
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.byteLength);
    this.chunks.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return value ? this.bytes(field, new TextEncoder().encode(value)) : this;
  }

  uint32(field: number, value: number): this {
    return value ? this.tag(field, 0).varint(value) : this;
  }

  bool(field: number, value: boolean): this {
    return value ? this.tag(field, 0).varint(1) : this;
  }

  double(field: number, value: number): this {
    this.tag(field, 1);
    this.scratch.setFloat64(0, value, true);
    this.chunks.push(new Uint8Array(this.scratch.buffer.slice(0, 8)));
    return this;
  }

  packedFloats(field: number, values: Float32Array): this {
    if (!values.length) return this;
    const body = new Uint8Array(values.length * 4);
    const view = new DataView(body.buffer);
    values.forEach((value, i) => view.setFloat32(i * 4, value, true));
    return this.bytes(field, body);
  }

  finish(): Uint8Array {
    const length = this.chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    const out = new Uint8Array(length);
    let offset = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, offset);
      offset += chunk.byteLength;
    }
    return out;
  }
}

class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get done(): boolean {
    return this.offset >= this.bytes.byteLength;
  }

  varint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.offset >= this.bytes.byteLength) throw new Error('truncated varint');
      const byte = this.bytes[this.offset++] as number;
      if (shift < 32) result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
      if (shift > 63) throw new Error('varint too long');
    }
  }

  take(length: number): Uint8Array {
    if (this.offset + length > this.bytes.byteLength) throw new Error('truncated field');
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  // Bounds first (take), so a cut-off number is "truncated field" like every other short read,
  // not the DataView's RangeError.
  double(): number {
    const at = this.offset;
    this.take(8);
    return this.view.getFloat64(at, true);
  }

  float(): number {
    const at = this.offset;
    this.take(4);
    return this.view.getFloat32(at, true);
  }

  /** Skips a field this decoder does not know (forward compatibility). */
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.take(8);
    else if (wireType === 2) this.take(this.varint());
    else if (wireType === 5) this.take(4);
    else throw new Error(`unsupported wire type ${wireType}`);
  }
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

export function encodeShardSearchRequest(message: ShardSearchRequestMessage): Uint8Array {
  return new Writer()
    .packedFloats(1, message.vector)
    .uint32(2, message.k)
    .uint32(3, message.ef)
    .string(4, message.filterJson)
    .string(5, message.collectionUid)
    .finish();
}

export function decodeShardSearchRequest(bytes: Uint8Array): ShardSearchRequestMessage {
  const reader = new Reader(bytes);
  const floats: number[] = [];
  const message: ShardSearchRequestMessage = { vector: new Float32Array(0), k: 0, ef: 0, filterJson: '', collectionUid: '' };
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === 2) {
      const packed = new Reader(reader.take(reader.varint()));
      while (!packed.done) floats.push(packed.float());
    } else if (field === 1 && wireType === 5) floats.push(reader.float());
    else if (field === 2 && wireType === 0) message.k = reader.varint();
    else if (field === 3 && wireType === 0) message.ef = reader.varint();
    else if (field === 4 && wireType === 2) message.filterJson = text(reader.take(reader.varint()));
    else if (field === 5 && wireType === 2) message.collectionUid = text(reader.take(reader.varint()));
    else reader.skip(wireType);
  }
  message.vector = Float32Array.from(floats);
  return message;
}

export function encodeShardSearchResponse(message: ShardSearchResponseMessage): Uint8Array {
  const writer = new Writer();
  for (const hit of message.hits) {
    writer.bytes(1, new Writer().string(1, hit.id).double(2, hit.score).string(3, hit.metadataJson).finish());
  }
  return writer.uint32(2, message.shard).bool(3, message.exact).uint32(4, message.items).finish();
}

export function decodeShardSearchResponse(bytes: Uint8Array): ShardSearchResponseMessage {
  const reader = new Reader(bytes);
  const message: ShardSearchResponseMessage = { hits: [], shard: 0, exact: false, items: 0 };
  while (!reader.done) {
    const tag = reader.varint();
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 1 && wireType === 2) {
      const hitReader = new Reader(reader.take(reader.varint()));
      const hit: HitMessage = { id: '', score: 0, metadataJson: '' };
      while (!hitReader.done) {
        const hitTag = hitReader.varint();
        const hitField = Math.floor(hitTag / 8);
        const hitWire = hitTag & 7;
        if (hitField === 1 && hitWire === 2) hit.id = text(hitReader.take(hitReader.varint()));
        else if (hitField === 2 && hitWire === 1) hit.score = hitReader.double();
        else if (hitField === 3 && hitWire === 2) hit.metadataJson = text(hitReader.take(hitReader.varint()));
        else hitReader.skip(hitWire);
      }
      message.hits.push(hit);
    } else if (field === 2 && wireType === 0) message.shard = reader.varint();
    else if (field === 3 && wireType === 0) message.exact = reader.varint() !== 0;
    else if (field === 4 && wireType === 0) message.items = reader.varint();
    else reader.skip(wireType);
  }
  return message;
}
