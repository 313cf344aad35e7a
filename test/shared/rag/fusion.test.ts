import { describe, expect, it } from 'vitest';
import { fuse, fusionMethod } from '../../../shared/rag/fusion.js';

// Scores below are worked by hand from the definitions in docs/rag.md ("Fusion").

const vector = [
  { id: 'a', score: 0.8 },
  { id: 'b', score: 0.4 },
  { id: 'd', score: 0.2 },
];
const keyword = [
  { id: 'b', score: 10 },
  { id: 'c', score: 5 },
];

describe('fusion', () => {
  it('fuses by reciprocal rank with k = 10, the keyword list weighing double (the default)', () => {
    // a: 1/(10+1) = 0.0909; b: 1/(10+2) + 2/(10+1) = 0.2652; d: 1/(10+3) = 0.0769; c: 2/(10+2) = 0.1667.
    const fused = fuse(vector, keyword);
    expect(fused.map((h) => h.id)).toEqual(['b', 'c', 'a', 'd']);
    const scores = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(scores.b).toBeCloseTo(1 / 12 + 2 / 11, 12);
    expect(scores.c).toBeCloseTo(2 / 12, 12);
    expect(scores.a).toBeCloseTo(1 / 11, 12);
    expect(scores.d).toBeCloseTo(1 / 13, 12);
    expect(fusionMethod).toEqual({ kind: 'rrf', k: 10, vectorWeight: 1, keywordWeight: 2 });
  });

  it('divides each list by its best score and sums them, weighted, with max-normalised', () => {
    // a: 0.5 * 0.8/0.8 = 0.5; b: 0.5 * 0.4/0.8 + 0.5 * 10/10 = 0.75; d: 0.5 * 0.2/0.8 = 0.125; c: 0.5 * 5/10 = 0.25.
    const fused = fuse(vector, keyword, { kind: 'max-normalised', vectorWeight: 0.5, keywordWeight: 0.5 });
    expect(fused.map((h) => h.id)).toEqual(['b', 'a', 'c', 'd']);
    const scores = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(scores.b).toBeCloseTo(0.75, 12);
    expect(scores.a).toBeCloseTo(0.5, 12);
    expect(scores.c).toBeCloseTo(0.25, 12);
    expect(scores.d).toBeCloseTo(0.125, 12);
  });

  it('weighs the lists as told', () => {
    // a: 0.9 * 1 = 0.9; b: 0.9 * 0.5 + 0.1 * 1 = 0.55; c: 0.1 * 0.5 = 0.05; d: 0.9 * 0.25 = 0.225.
    const fused = fuse(vector, keyword, { kind: 'max-normalised', vectorWeight: 0.9, keywordWeight: 0.1 });
    expect(fused.map((h) => [h.id, Number(h.score.toFixed(12))])).toEqual([
      ['a', 0.9],
      ['b', 0.55],
      ['d', 0.225],
      ['c', 0.05],
    ]);
  });

  it('maps each list onto [0, 1] by its range with min-max', () => {
    // vector: a (0.8-0.2)/0.6 = 1, b 0.2/0.6 = 1/3, d 0; keyword: b 1, c 0.
    const fused = fuse(vector, keyword, { kind: 'min-max', vectorWeight: 0.5, keywordWeight: 0.5 });
    expect(fused.map((h) => h.id)).toEqual(['b', 'a', 'd', 'c']);
    expect(fused.map((h) => h.score)).toEqual([expect.closeTo(0.5 / 3 + 0.5, 12), expect.closeTo(0.5, 12), 0, 0]);
  });

  it('gives every hit of a list whose scores are all equal the full weight', () => {
    const flat = [
      { id: 'x', score: 3 },
      { id: 'y', score: 3 },
    ];
    for (const kind of ['max-normalised', 'min-max'] as const) {
      expect(fuse(flat, [], { kind, vectorWeight: 0.5, keywordWeight: 0.5 })).toEqual([
        { id: 'x', score: 0.5 },
        { id: 'y', score: 0.5 },
      ]);
    }
    // A best score of 0 has no scale either.
    expect(fuse([{ id: 'z', score: 0 }], [], { kind: 'max-normalised', vectorWeight: 0.5, keywordWeight: 0.5 })).toEqual([{ id: 'z', score: 0.5 }]);
  });

  it('sums weight / (k + rank) with reciprocal rank fusion, rank counted from 1', () => {
    const fused = fuse(vector, keyword, { kind: 'rrf', k: 60, vectorWeight: 1, keywordWeight: 2 });
    const scores = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(scores.a).toBeCloseTo(1 / 61, 15);
    expect(scores.b).toBeCloseTo(1 / 62 + 2 / 61, 15);
    expect(scores.d).toBeCloseTo(1 / 63, 15);
    expect(scores.c).toBeCloseTo(2 / 62, 15);
    expect(fused.map((h) => h.id)).toEqual(['b', 'c', 'a', 'd']);
  });

  it('keeps the vector list order, then the keyword list order, among equal scores', () => {
    const fused = fuse(
      [
        { id: 'v2', score: 1 },
        { id: 'v1', score: 1 },
      ],
      [
        { id: 'k2', score: 7 },
        { id: 'k1', score: 7 },
      ],
      { kind: 'max-normalised', vectorWeight: 0.5, keywordWeight: 0.5 },
    );
    expect(fused.map((h) => h.id)).toEqual(['v2', 'v1', 'k2', 'k1']);
    expect(fuse([], [])).toEqual([]);
  });
});
