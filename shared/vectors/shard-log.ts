import { RestError, type ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { callDependency } from '../storage/dependency.js';
import { metadataValue, type Metadata } from './filter.js';
import { logPrefix, segmentOf, segmentPath, type ShardRef } from './layout.js';

/**
 * A shard's write log: append blobs of JSON lines, one record per acknowledged write. Vectors
 * are base64 float32 (exact, a third of the size of decimal text). Each record carries the
 * shard's sequence number; a snapshot covers everything up to its seq, so replay skips those.
 */
export type LogRecord =
  | { seq: number; op: 'upsert'; items: Array<{ id: string; vector: Float32Array; metadata?: Metadata }> }
  | { seq: number; op: 'delete'; ids: string[] }
  | SealRecord;

/**
 * The last record of a segment: written by the instance that snapshots, at the end it has read
 * (a conditional append, so nothing can slip in unseen), it says the log goes on in segment
 * `next`. A writer that meets it moves on; nothing after it is ever written to the segment.
 */
export interface SealRecord {
  op: 'seal';
  next: number;
}

const wireRecord = z.discriminatedUnion('op', [
  z.object({
    seq: z.number().int().min(1),
    op: z.literal('upsert'),
    items: z.array(z.object({ id: z.string(), v: z.string(), m: z.record(z.string(), metadataValue).optional() })),
  }),
  z.object({ seq: z.number().int().min(1), op: z.literal('delete'), ids: z.array(z.string()) }),
  z.object({ op: z.literal('seal'), next: z.number().int().min(1) }),
]);

/** An append block is at most 4 MiB; records stay well below it. */
export const maxRecordBytes = 3 * 1024 * 1024;

export function encodeRecord(record: LogRecord): string {
  if (record.op === 'delete' || record.op === 'seal') return `${JSON.stringify(record)}\n`;
  const items = record.items.map((item) => ({
    id: item.id,
    v: Buffer.from(item.vector.buffer, item.vector.byteOffset, item.vector.byteLength).toString('base64'),
    ...(item.metadata ? { m: item.metadata } : {}),
  }));
  return `${JSON.stringify({ seq: record.seq, op: 'upsert', items })}\n`;
}

export function decodeRecords(text: string, where: string): LogRecord[] {
  const records: LogRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (!line) return;
    const parsed = wireRecord.safeParse(JSON.parse(line));
    if (!parsed.success) throw new Error(`${where}: line ${index + 1} is not a log record: ${parsed.error.message}`);
    const value = parsed.data;
    if (value.op === 'delete' || value.op === 'seal') records.push(value);
    else {
      records.push({
        seq: value.seq,
        op: 'upsert',
        items: value.items.map((item) => {
          const bytes = Buffer.from(item.v, 'base64');
          const vector = new Float32Array(bytes.byteLength / 4);
          new Uint8Array(vector.buffer).set(bytes);
          return { id: item.id, vector, ...(item.m ? { metadata: item.m } : {}) };
        }),
      });
    }
  });
  return records;
}

/** Another writer appended first: the caller catches up from the log and tries again. */
export class AppendRaceError extends Error {}

export class ShardLog {
  constructor(
    private readonly container: ContainerClient,
    readonly ref: ShardRef,
  ) {}

  /** Segments present, oldest first. */
  async segments(): Promise<number[]> {
    return callDependency('blob', async () => {
      const found: number[] = [];
      for await (const blob of this.container.listBlobsFlat({ prefix: logPrefix(this.ref) })) {
        const segment = segmentOf(blob.name);
        if (segment !== undefined) found.push(segment);
      }
      return found.sort((a, b) => a - b);
    });
  }

  /** The segment's bytes from `offset` on, and its length; `missing` when the segment does not exist. */
  async read(segment: number, offset = 0): Promise<{ text: string; length: number; missing: boolean }> {
    return callDependency('blob', async () => {
      try {
        const buffer = await this.container.getBlockBlobClient(segmentPath(this.ref, segment)).downloadToBuffer(offset);
        return { text: buffer.toString('utf8'), length: offset + buffer.byteLength, missing: false };
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 416) return { text: '', length: offset, missing: false };
        if (error instanceof RestError && error.statusCode === 404) return { text: '', length: offset, missing: true };
        throw error;
      }
    });
  }

  /**
   * Appends lines at exactly `position` (the length this writer last saw), so two writers can
   * never interleave unseen; returns the new length. Throws AppendRaceError when the blob grew.
   */
  async append(segment: number, position: number, text: string): Promise<number> {
    return callDependency('blob', async () => {
      const blob = this.container.getAppendBlobClient(segmentPath(this.ref, segment));
      if (position === 0) await blob.createIfNotExists();
      const body = Buffer.from(text, 'utf8');
      try {
        await blob.appendBlock(body, body.byteLength, { conditions: { appendPosition: position } });
      } catch (error) {
        if (error instanceof RestError && error.statusCode === 412) throw new AppendRaceError(`log ${segmentPath(this.ref, segment)} grew past ${position}`);
        // Deleted under this writer (a snapshot moved the log on): the caller catches up or reloads.
        if (error instanceof RestError && error.statusCode === 404) throw new AppendRaceError(`log ${segmentPath(this.ref, segment)} is gone`);
        throw error;
      }
      return position + body.byteLength;
    });
  }

  /** Drops segments a snapshot covers. */
  async deleteBefore(segment: number): Promise<void> {
    for (const old of await this.segments()) {
      if (old < segment) await callDependency('blob', () => this.container.getBlobClient(segmentPath(this.ref, old)).deleteIfExists());
    }
  }
}
