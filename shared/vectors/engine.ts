/**
 * The port every HNSW library sits behind. Labels are the shard's own dense integers; ids,
 * metadata and raw vectors live in the shard, not here, so an engine holds only the graph.
 */
export type Metric = 'cosine' | 'l2' | 'ip';
export type EngineName = 'native' | 'wasm';
export type EngineChoice = EngineName | 'auto';

export interface IndexParams {
  dimension: number;
  metric: Metric;
  /** Room for this many labels; the index grows itself beyond it. */
  capacity: number;
  m: number;
  efConstruction: number;
}

export interface EngineHit {
  label: number;
  /** The library's distance: 1 - cos for cosine, squared L2 for l2, 1 - dot for ip. */
  distance: number;
}

export interface VectorIndex {
  readonly engine: EngineName;
  /** Adds (or, for a label already present, replaces) points in one batch. */
  add(vectors: readonly Float32Array[], labels: readonly number[]): void;
  markDelete(label: number): void;
  /** Up to k nearest live labels, nearest first; `allow` restricts the labels considered. */
  search(query: Float32Array, k: number, ef: number, allow?: (label: number) => boolean): EngineHit[];
  /** Labels the index can hold before it must grow. */
  capacity(): number;
  resize(capacity: number): void;
  /** The engine's own index file; only the same engine can read it back. */
  serialize(): Promise<Uint8Array>;
  dispose(): void;
}

export interface VectorEngine {
  readonly name: EngineName;
  create(params: IndexParams): VectorIndex;
  load(params: IndexParams, bytes: Uint8Array): Promise<VectorIndex>;
}

/** Grows capacity geometrically so batched inserts resize rarely. */
export function grownCapacity(current: number, needed: number): number {
  let next = Math.max(current, 1_024);
  while (next < needed) next *= 2;
  return next;
}
