import { documentOfChunkId } from './chunk-id.js';

/**
 * Fusion of the vector and keyword result lists into one ranking.
 *
 * Chosen by measurement on the Python-manual evaluation (docs/rag.md, "Fusion"), on half of
 * its questions and checked on the other half: reciprocal rank fusion summed per document.
 * Each chunk among the first 4k candidates of each list gets weight / (k + rank), k = 20, the
 * keyword list weighing twice the vector list (BM25 alone ranks better than the embedder);
 * a document's score is the sum over its chunks, so a page that both lists find in several
 * places outranks a page one list ranks first once. The chunks come out by their document's
 * score, then their own. Chunk-level RRF (the earlier choice) and score-normalised sums (each
 * list divided by its best score, or mapped by its range) are kept for the study.
 */
export interface ScoredHit {
  id: string;
  score: number;
}

export type FusionMethod =
  | { kind: 'rrf'; k: number; vectorWeight: number; keywordWeight: number }
  /** Each document's n-th best chunk (0-based) counts `decay ** n` of its chunk score; decay 1 is the plain sum. */
  | { kind: 'rrf-documents'; k: number; vectorWeight: number; keywordWeight: number; decay: number }
  | { kind: 'max-normalised'; vectorWeight: number; keywordWeight: number }
  | { kind: 'min-max'; vectorWeight: number; keywordWeight: number };

export const fusionMethod: FusionMethod = { kind: 'rrf-documents', k: 20, vectorWeight: 1, keywordWeight: 2, decay: 1 };

/** Fused retrieval reads this many candidates per requested source from each list. */
export const fusionCandidatesPerSource = 4;

function normalised(hits: readonly ScoredHit[], kind: 'max-normalised' | 'min-max'): Map<string, number> {
  const best = Math.max(...hits.map((h) => h.score));
  const worst = kind === 'min-max' ? Math.min(...hits.map((h) => h.score)) : 0;
  const range = best - worst;
  return new Map(hits.map((h) => [h.id, range > 0 ? (h.score - worst) / range : 1]));
}

function byScore(scores: Map<string, number>): ScoredHit[] {
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}

/** Chunks ordered by their document's summed score, then by their own; each carries its document's score. */
function byDocument(chunks: readonly ScoredHit[], decay: number, documentOf: (id: string) => string): ScoredHit[] {
  const documents = new Map<string, { score: number; chunks: ScoredHit[] }>();
  for (const chunk of chunks) {
    const id = documentOf(chunk.id);
    const document = documents.get(id) ?? { score: 0, chunks: [] };
    document.score += chunk.score * decay ** document.chunks.length;
    document.chunks.push(chunk);
    documents.set(id, document);
  }
  return [...documents.values()].sort((a, b) => b.score - a.score).flatMap((d) => d.chunks.map((c) => ({ id: c.id, score: d.score })));
}

/**
 * Best first; ties keep the vector list's order, then the keyword list's. `documentOf` names
 * a chunk's document (for `rrf-documents`); chunk ids carry it (chunk-id.ts).
 */
export function fuse(
  vectorHits: readonly ScoredHit[],
  keywordHits: readonly ScoredHit[],
  method: FusionMethod = fusionMethod,
  documentOf: (id: string) => string = documentOfChunkId,
): ScoredHit[] {
  const fused = new Map<string, number>();
  const add = (id: string, value: number) => fused.set(id, (fused.get(id) ?? 0) + value);
  if (method.kind === 'rrf' || method.kind === 'rrf-documents') {
    vectorHits.forEach((hit, rank) => add(hit.id, method.vectorWeight / (method.k + rank + 1)));
    keywordHits.forEach((hit, rank) => add(hit.id, method.keywordWeight / (method.k + rank + 1)));
  } else {
    for (const [id, value] of normalised(vectorHits, method.kind)) add(id, method.vectorWeight * value);
    for (const [id, value] of normalised(keywordHits, method.kind)) add(id, method.keywordWeight * value);
  }
  const chunks = byScore(fused);
  return method.kind === 'rrf-documents' ? byDocument(chunks, method.decay, documentOf) : chunks;
}
