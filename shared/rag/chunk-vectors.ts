/**
 * What RAG needs from Arbor's vector search, as a port: the adapter over shared/vectors is
 * `vector-search-chunks.ts`. Item ids are opaque; `documentId` travels in the metadata so
 * filters and deletes can use it.
 */
export interface ChunkVectorItem {
  id: string;
  vector: Float32Array;
  metadata: Record<string, string | number | boolean>;
}

export interface ChunkVectorHit {
  id: string;
  /** Cosine similarity, higher is better. */
  score: number;
}

export interface ChunkVectors {
  /** Creates the collection for this dimension if missing; a different dimension is an error. */
  ensureCollection(collection: string, dimension: number): Promise<void>;
  exists(collection: string): Promise<boolean>;
  upsert(collection: string, items: readonly ChunkVectorItem[]): Promise<void>;
  remove(collection: string, ids: readonly string[]): Promise<void>;
  query(collection: string, vector: Float32Array, k: number, filter?: Record<string, unknown>): Promise<ChunkVectorHit[]>;
}
