import type { Metric } from './engine.js';

/**
 * Scores as the API reports them: cosine similarity and inner product (higher is better), and
 * Euclidean distance for l2 (lower is better). Engines report 1 - cos, 1 - dot and squared L2.
 */
export function scoreFromDistance(metric: Metric, distance: number): number {
  if (metric === 'l2') return Math.sqrt(Math.max(0, distance));
  return 1 - distance;
}

export function higherIsBetter(metric: Metric): boolean {
  return metric !== 'l2';
}

/** Orders hits best first for the metric. */
export function compareScores(metric: Metric): (a: { score: number }, b: { score: number }) => number {
  return higherIsBetter(metric) ? (a, b) => b.score - a.score : (a, b) => a.score - b.score;
}

/** Exact score of one stored vector against a query, as the API reports it. */
export function exactScore(metric: Metric, query: Float32Array, vector: Float32Array, queryNorm: number): number {
  let dot = 0;
  let sq = 0;
  let norm = 0;
  for (let i = 0; i < query.length; i++) {
    const q = query[i] as number;
    const v = vector[i] as number;
    dot += q * v;
    const d = q - v;
    sq += d * d;
    norm += v * v;
  }
  if (metric === 'l2') return Math.sqrt(sq);
  if (metric === 'ip') return dot;
  const denominator = queryNorm * Math.sqrt(norm);
  return denominator === 0 ? 0 : dot / denominator;
}

export function norm(vector: Float32Array): number {
  let sum = 0;
  for (const value of vector) sum += value * value;
  return Math.sqrt(sum);
}

export interface ScoredHit {
  id: string;
  score: number;
}

/** The global top k of several shards' answers, best first; ties broken by id for stability. */
export function mergeTopK<T extends ScoredHit>(metric: Metric, lists: readonly (readonly T[])[], k: number): T[] {
  const compare = compareScores(metric);
  return lists
    .flat()
    .sort((a, b) => compare(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, k);
}
