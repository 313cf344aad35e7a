/**
 * Fusion of the vector and keyword result lists into one ranking.
 *
 * Chosen by measurement on the Python-manual evaluation (docs/rag.md, "Fusion"), on half of
 * its questions and checked on the other half: reciprocal rank fusion with a small constant
 * (k = 10, so the first few places of each list count far more than the rest), the keyword
 * list weighing twice the vector list (BM25 alone ranks better than the hashed embedder),
 * over the first 2k candidates of each list (deeper candidates let chunks that both lists
 * rank low outvote a clear first place of one). Score-normalised sums (each list divided by
 * its best score, or mapped by its range) are kept for the study and for comparison.
 */
export interface ScoredHit {
  id: string;
  score: number;
}

export type FusionMethod =
  | { kind: 'rrf'; k: number; vectorWeight: number; keywordWeight: number }
  | { kind: 'max-normalised'; vectorWeight: number; keywordWeight: number }
  | { kind: 'min-max'; vectorWeight: number; keywordWeight: number };

export const fusionMethod: FusionMethod = { kind: 'rrf', k: 10, vectorWeight: 1, keywordWeight: 2 };

/** Fused retrieval reads this many candidates per requested source from each list. */
export const fusionCandidatesPerSource = 2;

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
