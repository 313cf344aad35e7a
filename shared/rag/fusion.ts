/**
 * Fusion of the vector and keyword result lists into one ranking.
 *
 * Chosen by measurement on the Python-manual evaluation (docs/rag.md, "Fusion"): each list's
 * scores are normalised by its own best score (cosine / best cosine, BM25 / best BM25), so the
 * first of each list scores 1 and the rest keep their distance from it, then combined as a
 * weighted sum. Unlike reciprocal rank fusion with k = 60, a chunk that one list ranks first
 * and the other misses is not pushed below every chunk both lists found somewhere.
 */
export interface ScoredHit {
  id: string;
  score: number;
}

export type FusionMethod =
  | { kind: 'rrf'; k: number; vectorWeight: number; keywordWeight: number }
  | { kind: 'max-normalised'; vectorWeight: number; keywordWeight: number }
  | { kind: 'min-max'; vectorWeight: number; keywordWeight: number };

export const fusionMethod: FusionMethod = { kind: 'max-normalised', vectorWeight: 0.5, keywordWeight: 0.5 };

function normalised(hits: readonly ScoredHit[], kind: 'max-normalised' | 'min-max'): Map<string, number> {
  const best = Math.max(...hits.map((h) => h.score));
  const worst = kind === 'min-max' ? Math.min(...hits.map((h) => h.score)) : 0;
  const range = best - worst;
  return new Map(hits.map((h) => [h.id, range > 0 ? (h.score - worst) / range : 1]));
}

/** Best first; ties keep the vector list's order, then the keyword list's. */
export function fuse(vectorHits: readonly ScoredHit[], keywordHits: readonly ScoredHit[], method: FusionMethod = fusionMethod): ScoredHit[] {
  const fused = new Map<string, number>();
  const add = (id: string, value: number) => fused.set(id, (fused.get(id) ?? 0) + value);
  if (method.kind === 'rrf') {
    vectorHits.forEach((hit, rank) => add(hit.id, method.vectorWeight / (method.k + rank + 1)));
    keywordHits.forEach((hit, rank) => add(hit.id, method.keywordWeight / (method.k + rank + 1)));
  } else {
    for (const [id, value] of normalised(vectorHits, method.kind)) add(id, method.vectorWeight * value);
    for (const [id, value] of normalised(keywordHits, method.kind)) add(id, method.keywordWeight * value);
  }
  return [...fused].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score);
}
