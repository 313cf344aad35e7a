import type { ContainerClient } from '@azure/storage-blob';
import { grownCapacity, type IndexParams, type Metric, type VectorEngine, type VectorIndex } from './engine.js';
import { compileFilter, type Filter, type Metadata } from './filter.js';
import type { ShardRef } from './layout.js';
import {
  vectorRecallSelfCheck,
  vectorShardItems,
  vectorShardLogRecords,
  vectorShardTombstones,
  vectorSnapshotTimestamp,
} from './metrics.js';
import { compareScores, exactScore, norm, scoreFromDistance } from './scoring.js';
import { AppendRaceError, ShardLog, decodeRecords, encodeRecord, maxRecordBytes, type LogRecord, type SealRecord } from './shard-log.js';
import { deleteSnapshotsExcept, readLatestManifest, readSnapshot, writeSnapshot, type SnapshotManifest } from './snapshots.js';

export interface ShardConfig {
  collection: string;
  uid: string;
  shard: number;
  dimension: number;
  metric: Metric;
  m: number;
  efConstruction: number;
}

export interface ShardItem {
  id: string;
  vector: Float32Array;
  metadata?: Metadata;
}

export interface ShardHit {
  id: string;
  score: number;
  metadata: Metadata | null;
}

export interface ShardSearchResult {
  hits: ShardHit[];
  /** True when the answer came from exact search (a narrow filter, or HNSW found too few). */
  exact: boolean;
}

export interface ShardStats {
  shard: number;
  items: number;
  tombstones: number;
  logRecords: number;
  memoryBytes: number;
  engine: string;
  lastSnapshot: { seq: number; at: string; engine: string } | null;
}

export interface SnapshotOutcome {
  shard: number;
  written: boolean;
  rebuilt: boolean;
  seq: number;
  recall?: number;
  /** Why nothing was written although the shard may have changed. */
  skipped?: string;
}

type DataRecord = Exclude<LogRecord, SealRecord>;

/** This copy's log segment is gone (another instance snapshotted past it): reload the shard. */
export class ShardMovedError extends Error {
  constructor(shard: number) {
    super(`shard ${shard} moved on in storage since this instance loaded it; reload it`);
  }
}

/** Filters that leave at most this many candidates (or this share) are answered exactly. */
const exactCandidates = 2_000;
const exactShare = 0.05;

/**
 * One shard in memory: an HNSW index over dense labels, and per label its id, raw vector and
 * metadata. Every change goes to the shard's log in blob storage first and is applied after;
 * writes and snapshots take turns (one at a time per shard), searches run beside them.
 */
export class Shard {
  private index: VectorIndex;
  private ids: Array<string | null> = [];
  private vectors: Array<Float32Array | null> = [];
  private metadata: Array<Metadata | null> = [];
  private labelOf = new Map<string, number>();
  private seq = 0;
  private segment = 0;
  private segmentLength = 0;
  private recordsSinceSnapshot = 0;
  private snapshot: SnapshotManifest | undefined;
  private turn: Promise<unknown> = Promise.resolve();
  private readonly log: ShardLog;
  private readonly ref: ShardRef;
  private readonly labels: Record<'collection' | 'shard', string>;

  private constructor(
    readonly config: ShardConfig,
    private readonly engine: VectorEngine,
    private readonly container: ContainerClient,
  ) {
    this.ref = { collection: config.collection, uid: config.uid, shard: config.shard };
    this.log = new ShardLog(container, this.ref);
    this.index = engine.create(this.params(1_024));
    this.labels = { collection: config.collection, shard: String(config.shard) };
  }

  /** Loads the latest snapshot (rebuilding it when another engine wrote it) and replays the log tail. */
  static async open(config: ShardConfig, engine: VectorEngine, container: ContainerClient): Promise<Shard> {
    const shard = new Shard(config, engine, container);
    await shard.restore();
    return shard;
  }

  get live(): number {
    return this.labelOf.size;
  }

  get tombstones(): number {
    return this.ids.length - this.labelOf.size;
  }

  private params(capacity: number): IndexParams {
    const { dimension, metric, m, efConstruction } = this.config;
    return { dimension, metric, m, efConstruction, capacity };
  }

  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = this.turn.then(task, task);
    this.turn = run.catch(() => undefined);
    return run;
  }

  private async restore(): Promise<void> {
    const manifest = await readLatestManifest(this.container, this.ref);
    if (manifest) {
      const sameEngine = manifest.engine === this.engine.name;
      const content = await readSnapshot(this.container, manifest, sameEngine);
      const { dimension } = this.config;
      for (let label = 0; label < manifest.labels; label++) {
        const id = content.ids[label] ?? null;
        this.ids.push(id);
        this.metadata.push(content.metadata[label] ?? null);
        if (id === null) {
          this.vectors.push(null);
          continue;
        }
        this.vectors.push(content.vectors.slice(label * dimension, (label + 1) * dimension));
        this.labelOf.set(id, label);
      }
      if (sameEngine) {
        this.index.dispose();
        this.index = await this.engine.load(this.params(Math.max(manifest.capacity, 1_024)), content.index);
      } else {
        this.rebuildIndex(false);
      }
      this.seq = manifest.seq;
      this.segment = manifest.nextSegment;
      this.snapshot = manifest;
    }
    for (const segment of await this.log.segments()) {
      if (segment < this.segment) continue;
      this.segment = segment;
      this.segmentLength = 0;
      await this.catchUp();
    }
    this.publish();
  }

  /**
   * Brings the shard up to what storage holds, for an instance that is not the only writer (in
   * Azure, writes and queries of one shard land on any instance): the records other instances
   * appended since this copy last read, following seals into later segments. A copy that fell a
   * whole snapshot behind (its segment is gone) must be reloaded by the caller.
   */
  sync(): Promise<'reload' | 'current'> {
    return this.exclusive(async () => {
      const manifest = await readLatestManifest(this.container, this.ref);
      const before = this.seq;
      const current = await this.catchUp();
      if (!current || (manifest && manifest.nextSegment > this.segment)) return 'reload';
      if (this.seq !== before) this.publish();
      return 'current';
    });
  }

  /**
   * Applies what the log holds past what this copy has read: the rest of the current segment
   * and, past a seal, the segments after it. False when the segment this copy was reading has
   * been deleted (another instance snapshotted twice since): only a reload can catch up then.
   */
  private async catchUp(): Promise<boolean> {
    for (;;) {
      const { text, length, missing } = await this.log.read(this.segment, this.segmentLength);
      if (missing && this.segmentLength > 0) return false;
      const complete = text.lastIndexOf('\n') + 1;
      let sealedTo: number | undefined;
      for (const record of decodeRecords(text.slice(0, complete), `shard ${this.config.shard} log ${this.segment}`)) {
        if (record.op === 'seal') sealedTo = record.next;
        else if (record.seq > this.seq) this.apply(record);
      }
      this.segmentLength = length - Buffer.byteLength(text.slice(complete));
      if (sealedTo === undefined) return true;
      this.segment = sealedTo;
      this.segmentLength = 0;
    }
  }

  private apply(record: DataRecord): void {
    this.seq = record.seq;
    this.recordsSinceSnapshot++;
    if (record.op === 'delete') {
      for (const id of record.ids) this.remove(id);
      return;
    }
    const first = this.ids.length;
    for (const item of record.items) this.remove(item.id);
    const needed = first + record.items.length;
    if (needed > this.index.capacity()) this.index.resize(grownCapacity(this.index.capacity(), needed));
    record.items.forEach((item, i) => {
      this.ids.push(item.id);
      this.vectors.push(item.vector);
      this.metadata.push(item.metadata ?? null);
      this.labelOf.set(item.id, first + i);
    });
    this.index.add(
      record.items.map((item) => item.vector),
      record.items.map((_, i) => first + i),
    );
  }

  private remove(id: string): void {
    const label = this.labelOf.get(id);
    if (label === undefined) return;
    this.index.markDelete(label);
    this.labelOf.delete(id);
    this.ids[label] = null;
    this.vectors[label] = null;
    this.metadata[label] = null;
  }

  /**
   * Appends records to the log, then applies them. When another writer got there first, this
   * copy catches up (following a seal into the next segment) and tries again; when its segment
   * is gone, the write fails with ShardMovedError and nothing was acknowledged.
   */
  private async write(build: (seq: number) => DataRecord[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      // Starting a segment creates its blob: never one a snapshot has already moved past (it
      // would be recreated, and what went into it never replayed).
      if (this.segmentLength === 0) await this.ensureCurrentSegment();
      const records = build(this.seq + 1);
      const text = records.map(encodeRecord).join('');
      try {
        this.segmentLength = await this.log.append(this.segment, this.segmentLength, text);
      } catch (error) {
        if (!(error instanceof AppendRaceError) || attempt >= 5) throw error;
        if (!(await this.catchUp())) throw new ShardMovedError(this.config.shard);
        continue;
      }
      for (const record of records) this.apply(record);
      this.publish();
      return;
    }
  }

  private async ensureCurrentSegment(): Promise<void> {
    const manifest = await readLatestManifest(this.container, this.ref);
    if (!manifest || manifest.nextSegment <= this.segment) return;
    if (!(await this.catchUp()) || manifest.nextSegment > this.segment) throw new ShardMovedError(this.config.shard);
  }

  upsert(items: readonly ShardItem[]): Promise<void> {
    return this.exclusive(() =>
      this.write((seq) => {
        const records: DataRecord[] = [];
        let batch: ShardItem[] = [];
        let bytes = 0;
        const flush = () => {
          if (batch.length) records.push({ seq: seq + records.length, op: 'upsert', items: batch });
          batch = [];
          bytes = 0;
        };
        for (const item of items) {
          const size = item.vector.length * 6 + Buffer.byteLength(JSON.stringify(item.metadata ?? {})) + item.id.length + 32;
          if (bytes + size > maxRecordBytes) flush();
          batch.push(item);
          bytes += size;
        }
        flush();
        return records;
      }),
    );
  }

  /** Deletes ids; answers which of them existed. Nothing is logged for ids that do not. */
  delete(ids: readonly string[]): Promise<string[]> {
    return this.exclusive(async () => {
      const present = ids.filter((id) => this.labelOf.has(id));
      if (present.length) await this.write((seq) => [{ seq, op: 'delete', ids: present }]);
      return present;
    });
  }

  has(id: string): boolean {
    return this.labelOf.has(id);
  }

  search(query: Float32Array, k: number, ef: number, filter?: Filter): ShardSearchResult {
    const matches = compileFilter(filter);
    if (!matches) {
      return { hits: this.fromEngine(this.index.search(query, k, ef)), exact: false };
    }
    const allowed = new Uint8Array(this.ids.length);
    let candidates = 0;
    for (const label of this.labelOf.values()) {
      if (matches(this.metadata[label] ?? undefined)) {
        allowed[label] = 1;
        candidates++;
      }
    }
    if (candidates === 0) return { hits: [], exact: true };
    if (candidates <= exactCandidates || candidates <= this.live * exactShare) {
      return { hits: this.exact(query, k, (label) => allowed[label] === 1), exact: true };
    }
    const hits = this.fromEngine(this.index.search(query, k, Math.max(ef, k * 2), (label) => allowed[label] === 1));
    // HNSW under a filter can strand its walk; never hand back fewer than exist.
    if (hits.length < Math.min(k, candidates)) return { hits: this.exact(query, k, (label) => allowed[label] === 1), exact: true };
    return { hits, exact: false };
  }

  /** Exact top k over live labels (optionally only those allowed). */
  exact(query: Float32Array, k: number, allow?: (label: number) => boolean): ShardHit[] {
    const { metric } = this.config;
    const queryNorm = norm(query);
    const scored: Array<{ label: number; score: number }> = [];
    for (const label of this.labelOf.values()) {
      if (allow && !allow(label)) continue;
      scored.push({ label, score: exactScore(metric, query, this.vectors[label] as Float32Array, queryNorm) });
    }
    return scored
      .sort(compareScores(metric))
      .slice(0, k)
      .map(({ label, score }) => ({ id: this.ids[label] as string, score, metadata: this.metadata[label] ?? null }));
  }

  private fromEngine(hits: ReturnType<VectorIndex['search']>): ShardHit[] {
    const { metric } = this.config;
    return hits.flatMap(({ label, distance }) => {
      const id = this.ids[label];
      if (id == null) return [];
      return [{ id, score: scoreFromDistance(metric, distance), metadata: this.metadata[label] ?? null }];
    });
  }

  /** A fresh index over the live items only, labels renumbered: drops every tombstone. */
  private rebuildIndex(compact: boolean): void {
    if (compact) {
      const live = [...this.labelOf.keys()].map((id) => this.labelOf.get(id) as number).sort((a, b) => a - b);
      this.ids = live.map((label) => this.ids[label] as string);
      this.vectors = live.map((label) => this.vectors[label] as Float32Array);
      this.metadata = live.map((label) => this.metadata[label] ?? null);
      this.labelOf = new Map(this.ids.map((id, label) => [id as string, label]));
    }
    this.index.dispose();
    this.index = this.engine.create(this.params(grownCapacity(1_024, this.ids.length)));
    const labels = [...this.labelOf.values()];
    for (let start = 0; start < labels.length; start += 1_000) {
      const chunk = labels.slice(start, start + 1_000);
      this.index.add(
        chunk.map((label) => this.vectors[label] as Float32Array),
        chunk,
      );
    }
    // Labels of deleted items (not compacted) stay unused: mark nothing, they were never added.
  }

  /**
   * Writes the index, raw vectors and metadata to blob storage when anything changed since the
   * last snapshot, starts a new log segment, then drops the segments and snapshots it covers.
   * A shard whose tombstones exceed `rebuildRatio` of its labels is rebuilt first.
   */
  snapshotNow(options: { rebuildRatio: number; force?: boolean; now?: Date }): Promise<SnapshotOutcome> {
    return this.exclusive(async () => {
      if (!(await this.catchUp())) throw new ShardMovedError(this.config.shard);
      const changed = this.seq !== (this.snapshot?.seq ?? 0) || this.recordsSinceSnapshot > 0;
      if (!changed && !options.force) return { shard: this.config.shard, written: false, rebuilt: false, seq: this.seq };
      // Seal the segment at the end this copy has read: a conditional append, so no other
      // instance's write can land unseen between what the snapshot holds and the next segment.
      for (let attempt = 0; ; attempt++) {
        try {
          await this.log.append(this.segment, this.segmentLength, encodeRecord({ op: 'seal', next: this.segment + 1 }));
          break;
        } catch (error) {
          if (!(error instanceof AppendRaceError) || attempt >= 5) throw error;
          if (!(await this.catchUp())) throw new ShardMovedError(this.config.shard);
        }
      }
      const rebuilt = this.ids.length > 0 && this.tombstones / this.ids.length > options.rebuildRatio;
      if (rebuilt) this.rebuildIndex(true);
      const { dimension, metric } = this.config;
      const vectors = new Float32Array(this.ids.length * dimension);
      this.vectors.forEach((vector, label) => vector && vectors.set(vector, label * dimension));
      const nextSegment = this.segment + 1;
      const manifest = await writeSnapshot(this.container, this.ref, {
        manifest: {
          format: 1,
          engine: this.engine.name,
          seq: this.seq,
          nextSegment,
          dimension,
          metric,
          labels: this.ids.length,
          live: this.live,
          capacity: this.index.capacity(),
          createdAt: (options.now ?? new Date()).toISOString(),
        },
        index: await this.index.serialize(),
        vectors,
        ids: this.ids,
        metadata: this.metadata,
      });
      // Segments go one snapshot late: a copy on another instance that read the last manifest
      // can still follow the seals from where it is.
      const keepFrom = this.snapshot?.nextSegment ?? 0;
      this.snapshot = manifest;
      this.segment = nextSegment;
      this.segmentLength = 0;
      this.recordsSinceSnapshot = 0;
      await this.log.deleteBefore(keepFrom);
      await deleteSnapshotsExcept(this.container, this.ref, manifest.dir);
      const recall = this.recallSelfCheck();
      this.publish(recall);
      return { shard: this.config.shard, written: true, rebuilt, seq: this.seq, ...(recall === undefined ? {} : { recall }) };
    });
  }

  /** recall@10 of the index against exact search, for up to 20 of the shard's own vectors. */
  recallSelfCheck(samples = 20): number | undefined {
    const labels = [...this.labelOf.values()];
    if (labels.length < 20) return undefined;
    let found = 0;
    let wanted = 0;
    for (let i = 0; i < samples; i++) {
      const label = labels[Math.floor((i * labels.length) / samples)] as number;
      const query = this.vectors[label] as Float32Array;
      const truth = new Set(this.exact(query, 10).map((hit) => hit.id));
      const got = this.fromEngine(this.index.search(query, 10, 64));
      found += got.filter((hit) => truth.has(hit.id)).length;
      wanted += truth.size;
    }
    return wanted ? found / wanted : undefined;
  }

  stats(): ShardStats {
    const { dimension, m } = this.config;
    let metadataBytes = 0;
    for (const value of this.metadata) if (value) metadataBytes += JSON.stringify(value).length;
    return {
      shard: this.config.shard,
      items: this.live,
      tombstones: this.tombstones,
      logRecords: this.recordsSinceSnapshot,
      // Raw vectors (kept for snapshots and exact search), the index's copy, its links, metadata.
      memoryBytes: this.live * dimension * 4 + this.index.capacity() * (dimension * 4 + m * 2 * 4 + 16) + metadataBytes,
      engine: this.engine.name,
      lastSnapshot: this.snapshot ? { seq: this.snapshot.seq, at: this.snapshot.createdAt, engine: this.snapshot.engine } : null,
    };
  }

  private publish(recall?: number): void {
    vectorShardItems.set(this.labels, this.live);
    vectorShardTombstones.set(this.labels, this.tombstones);
    vectorShardLogRecords.set(this.labels, this.recordsSinceSnapshot);
    if (this.snapshot) vectorSnapshotTimestamp.set(this.labels, Date.parse(this.snapshot.createdAt) / 1000);
    if (recall !== undefined) vectorRecallSelfCheck.set(this.labels, recall);
  }

  dispose(): void {
    this.index.dispose();
  }
}
