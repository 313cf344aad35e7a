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
  it('fuses by reciprocal rank with k = 10, the keyword list weighing double', () => {
    // a: 1/(10+1) = 0.0909; b: 1/(10+2) + 2/(10+1) = 0.2652; d: 1/(10+3) = 0.0769; c: 2/(10+2) = 0.1667.
    const fused = fuse(vector, keyword, { kind: 'rrf', k: 10, vectorWeight: 1, keywordWeight: 2 });
    expect(fused.map((h) => h.id)).toEqual(['b', 'c', 'a', 'd']);
    const scores = Object.fromEntries(fused.map((h) => [h.id, h.score]));
    expect(scores.b).toBeCloseTo(1 / 12 + 2 / 11, 12);
    expect(scores.c).toBeCloseTo(2 / 12, 12);
    expect(scores.a).toBeCloseTo(1 / 11, 12);
    expect(scores.d).toBeCloseTo(1 / 13, 12);
  });

  it('keeps chunks apart with chunk-level reciprocal rank fusion: one document does not pull its chunks together', () => {
    // k = 20, weights 1: A:0 1/21, B:0 1/22, A:1 1/23. Per document A (1/21 + 1/23) would lead
    // both of its chunks before B's; chunk-level fusion keeps B:0 second.
    const fused = fuse([{ id: 'A:0', score: 0.9 }, { id: 'B:0', score: 0.8 }, { id: 'A:1', score: 0.7 }], [], { kind: 'rrf', k: 20, vectorWeight: 1, keywordWeight: 1 });
    expect(fused.map((h) => h.id)).toEqual(['A:0', 'B:0', 'A:1']);
    expect(fused.map((h) => h.score)).toEqual([1 / 21, 1 / 22, 1 / 23]);
  });

  describe('summed per document (the default)', () => {
    // Chunk ids are "<document>:<index>". Document P has two chunks each list ranks low; Q has
    // the keyword list's first place; R one chunk of the vector list.
    const vectorChunks = [
      { id: 'R:0', score: 0.9 },
      { id: 'P:1', score: 0.5 },
      { id: 'P:2', score: 0.4 },
    ];
    const keywordChunks = [
      { id: 'Q:0', score: 12 },
      { id: 'P:2', score: 6 },
      { id: 'P:1', score: 5 },
    ];

    it('ranks a document by the sum of its chunks, k = 20, the keyword list weighing double', () => {
      expect(fusionMethod).toEqual({ kind: 'rrf-documents', k: 20, vectorWeight: 1, keywordWeight: 2, decay: 1 });
      // Chunks: R:0 1/21; P:1 1/22 + 2/23; P:2 1/23 + 2/22; Q:0 2/21.
      // Documents: P = 1/22 + 2/23 + 1/23 + 2/22 = 3/22 + 3/23 = 0.2668; Q = 2/21 = 0.0952; R = 1/21 = 0.0476.
      // P:2 (0.1344) outranks P:1 (0.1324) inside P; both carry P's score.
      const fused = fuse(vectorChunks, keywordChunks);
      expect(fused.map((h) => h.id)).toEqual(['P:2', 'P:1', 'Q:0', 'R:0']);
      expect(fused.map((h) => h.score)).toEqual([expect.closeTo(3 / 22 + 3 / 23, 12), expect.closeTo(3 / 22 + 3 / 23, 12), expect.closeTo(2 / 21, 12), expect.closeTo(1 / 21, 12)]);
      // Where no chunk of P beats Q's first place, P's three chunks still outweigh it:
      // chunks R:0 1/21, P:1 1/22, P:2 1/23, Q:0 2/21 = 0.0952, P:3 2/22 = 0.0909; P = 3/22 + 1/23 = 0.1799.
      const spread = [
        { id: 'Q:0', score: 12 },
        { id: 'P:3', score: 6 },
      ];
      expect(fuse(vectorChunks, spread, { kind: 'rrf', k: 20, vectorWeight: 1, keywordWeight: 2 })[0]?.id).toBe('Q:0');
      expect(fuse(vectorChunks, spread).map((h) => h.id)).toEqual(['P:3', 'P:1', 'P:2', 'Q:0', 'R:0']);
    });

    it('counts a document\'s n-th best chunk decay^n of its score', () => {
      // P:2 = 1/23 + 2/22 counts fully, P:1 = 1/22 + 2/23 counts a quarter; Q = 2/21 is under P still.
      const method = { kind: 'rrf-documents', k: 20, vectorWeight: 1, keywordWeight: 2, decay: 0.25 } as const;
      const fused = fuse(vectorChunks, keywordChunks, method);
      expect(fused[0]).toEqual({ id: 'P:2', score: expect.closeTo(1 / 23 + 2 / 22 + 0.25 * (1 / 22 + 2 / 23), 12) });
      // Decay 0 keeps only each document's best chunk: P 0.1344 still over Q 0.0952, R last.
      expect(fuse(vectorChunks, keywordChunks, { ...method, decay: 0 }).map((h) => [h.id, Number(h.score.toFixed(12))])).toEqual([
        ['P:2', Number((1 / 23 + 2 / 22).toFixed(12))],
        ['P:1', Number((1 / 23 + 2 / 22).toFixed(12))],
        ['Q:0', Number((2 / 21).toFixed(12))],
        ['R:0', Number((1 / 21).toFixed(12))],
      ]);
    });

    it('reads documents through the function it is given, and keeps list order among equal documents', () => {
      const documentOf = (id: string) => (id.startsWith('x') ? 'X' : 'Y');
      const fused = fuse(
        [
          { id: 'y1', score: 1 },
          { id: 'x1', score: 1 },
        ],
        [
          { id: 'x2', score: 1 },
          { id: 'y2', score: 1 },
        ],
        { kind: 'rrf-documents', k: 20, vectorWeight: 1, keywordWeight: 1, decay: 1 },
        documentOf,
      );
      // X = 1/22 + 1/21 = Y = 1/21 + 1/22: the tie keeps Y (first in the vector list) first.
      expect(fused.map((h) => h.id)).toEqual(['y1', 'y2', 'x2', 'x1']);
    });
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
