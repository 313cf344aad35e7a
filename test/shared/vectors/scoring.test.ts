import { describe, expect, it } from 'vitest';
import type { Metric } from '../../../shared/vectors/engine.js';
import { compareScores, exactScore, higherIsBetter, mergeTopK, norm, scoreFromDistance, type ScoredHit } from '../../../shared/vectors/scoring.js';
import { prng } from '../drift/random.js';

// References below are written differently from the module: scores from Math.hypot and
// reduce, the merge by a full sort on a key that puts the best first for the metric.

const metrics: Metric[] = ['cosine', 'ip', 'l2'];

function vector(random: () => number, dimension: number): Float32Array {
  return Float32Array.from({ length: dimension }, () => random() * 2 - 1);
}

function referenceScore(metric: Metric, query: Float32Array, vector: Float32Array): number {
  // Plain arrays, so differences are taken in double precision as the module does.
  const q = Array.from(query);
  const v = Array.from(vector);
  const dot = q.reduce((sum, x, i) => sum + x * (v[i] as number), 0);
  if (metric === 'ip') return dot;
  if (metric === 'l2') return Math.hypot(...q.map((x, i) => x - (v[i] as number)));
  const lengths = Math.hypot(...q) * Math.hypot(...v);
  return lengths === 0 ? 0 : dot / lengths;
}

/**
 * Best first: a similarity descending, a distance ascending, ties by id in code-unit order. Two
 * passes: the default sort orders ids by code units, then a stable sort by score keeps that
 * order among equal scores.
 */
function referenceTopK(metric: Metric, lists: ScoredHit[][], k: number): string[] {
  const byId = new Map(lists.flat().map((hit) => [hit.id, hit.score]));
  const ids = [...byId.keys()].sort();
  const sign = metric === 'l2' ? 1 : -1;
  return ids.sort((a, b) => sign * ((byId.get(a) as number) - (byId.get(b) as number))).slice(0, k);
}

describe('scores as the API reports them', () => {
  it('turns engine distances into cosine similarity, inner product and Euclidean distance', () => {
    expect(scoreFromDistance('cosine', 0)).toBe(1);
    expect(scoreFromDistance('cosine', 2)).toBe(-1);
    expect(scoreFromDistance('ip', -4)).toBe(5);
    expect(scoreFromDistance('l2', 16)).toBe(4);
    expect(scoreFromDistance('l2', 0)).toBe(0);
    // A squared distance a hair below 0 from rounding is a distance of 0, not NaN.
    expect(scoreFromDistance('l2', -1e-12)).toBe(0);
  });

  it('knows which way is better for each metric', () => {
    expect(metrics.map(higherIsBetter)).toEqual([true, true, false]);
    const a = { score: 1 };
    const b = { score: 3 };
    expect(compareScores('cosine')(a, b)).toBeGreaterThan(0);
    expect(compareScores('ip')(a, b)).toBeGreaterThan(0);
    expect(compareScores('l2')(a, b)).toBeLessThan(0);
    expect(compareScores('l2')(b, b)).toBe(0);
  });

  it('computes exact scores as a reference written with Math.hypot does', () => {
    const random = prng(11);
    for (let trial = 0; trial < 50; trial++) {
      const dimension = 1 + (trial % 9);
      const q = vector(random, dimension);
      const v = vector(random, dimension);
      for (const metric of metrics) expect(exactScore(metric, q, v, norm(q))).toBeCloseTo(referenceScore(metric, q, v), 10);
    }
  });

  it('gives cosine 0 against a zero vector and exact values on small integer vectors', () => {
    const zero = new Float32Array(3);
    const q = Float32Array.from([1, 2, 2]);
    expect(exactScore('cosine', q, zero, norm(q))).toBe(0);
    expect(exactScore('cosine', zero, q, 0)).toBe(0);
    expect(exactScore('ip', q, Float32Array.from([2, -1, 3]), 3), 'ip').toBe(6);
    expect(exactScore('l2', q, Float32Array.from([4, 6, 2]), 3)).toBe(5);
    // cos = (1*2 + 2*(-1) + 2*1) / (3 * sqrt(6))
    expect(exactScore('cosine', q, Float32Array.from([2, -1, 1]), 3)).toBeCloseTo(2 / (3 * Math.sqrt(6)), 12);
    expect(norm(Float32Array.from([3, 4]))).toBe(5);
    expect(norm(new Float32Array(0))).toBe(0);
  });
});

describe('the global top k of several shards', () => {
  it('matches a full sort, in order, for every metric, with ties and negative scores', () => {
    const random = prng(5);
    for (let trial = 0; trial < 40; trial++) {
      const lists = Array.from({ length: 1 + (trial % 4) }, (_, shard) =>
        // Scores on a coarse grid, so many tie across shards.
        Array.from({ length: trial % 7 }, (_, i) => ({ id: `s${shard}-${Math.floor(random() * 1000)}-${i}`, score: Math.round((random() * 2 - 1) * 4) / 2 })),
      );
      for (const metric of metrics) {
        for (const k of [1, 3, 10]) expect(mergeTopK(metric, lists, k).map((h) => h.id), `${metric} k=${k}`).toEqual(referenceTopK(metric, lists, k));
      }
    }
  });

  it('orders long merges with many ties like the reference (the sort merges runs there, not only inserts)', () => {
    const random = prng(9);
    const lists = Array.from({ length: 3 }, (_, shard) =>
      Array.from({ length: 60 }, (_, i) => ({ id: `${String.fromCharCode(97 + Math.floor(random() * 26))}${shard}${i}`, score: Math.floor(random() * 3) / 2 })),
    );
    for (const metric of metrics) expect(mergeTopK(metric, lists, 180).map((h) => h.id), metric).toEqual(referenceTopK(metric, lists, 180));
  });

  it('merges inner products best first, as similarities', () => {
    const shards = [
      [
        { id: 'p', score: 3 },
        { id: 'n', score: -7 },
      ],
      [{ id: 'z', score: 0.5 }],
    ];
    expect(mergeTopK('ip', shards, 3).map((h) => h.id)).toEqual(['p', 'z', 'n']);
    expect(mergeTopK('l2', shards, 3).map((h) => h.id)).toEqual(['n', 'z', 'p']);
  });

  it('breaks ties by id whichever order the shards answer in, and keeps each hit whole', () => {
    const a = { id: 'b', score: 1, extra: 'kept' };
    const b = { id: 'a', score: 1, extra: 'also' };
    expect(mergeTopK('cosine', [[a], [b]], 2)).toEqual([b, a]);
    expect(mergeTopK('cosine', [[b], [a]], 2)).toEqual([b, a]);
    expect(mergeTopK('l2', [[a, b]], 2)).toEqual([b, a]);
    expect(mergeTopK('cosine', [[a, { id: 'a', score: 1 }]], 2).map((h) => h.id)).toEqual(['a', 'b']);
    expect(mergeTopK('cosine', [[a], []], 0)).toEqual([]);
  });
});
