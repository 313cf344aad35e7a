import { describe, expect, it } from 'vitest';
import { citedNumbers, claims } from '../../../shared/rag/citations.js';
import { fuse } from '../../../shared/rag/fusion.js';
import { absentTermWeight, inverseDocumentFrequency, support } from '../../../shared/rag/support.js';
import { terms } from '../../../shared/rag/text.js';

describe('fusion of the vector and keyword lists', () => {
  it('rewards agreement and weighs the keyword list double: a chunk both lists rank third leads, then the keyword list, then the vector list', () => {
    const vector = [
      { id: 'top', score: 0.9 },
      { id: 'x', score: 0.3 },
      { id: 'both', score: 0.29 },
    ];
    const keyword = [
      { id: 'y', score: 12 },
      { id: 'z', score: 11 },
      { id: 'both', score: 2 },
    ];
    // Ids without a document part are documents of their own. k = 20: both: 1/23 + 2/23 = 0.130; y: 2/21 = 0.095; z: 2/22 = 0.091; top: 1/21 = 0.048; x: 1/22 = 0.045.
    expect(fuse(vector, keyword).map((h) => h.id)).toEqual(['both', 'y', 'z', 'top', 'x']);
    // Normalised by each list's best score, the clear first place stays ahead of the low agreement.
    expect(fuse(vector, keyword, { kind: 'max-normalised', vectorWeight: 0.5, keywordWeight: 0.5 })[0]?.id).toBe('top');
  });

  it('ranks a list alone as that list', () => {
    const only = [
      { id: 'a', score: 3 },
      { id: 'b', score: 2 },
      { id: 'c', score: 1 },
    ];
    expect(fuse(only, []).map((h) => h.id)).toEqual(['a', 'b', 'c']);
    expect(fuse([], only).map((h) => h.id)).toEqual(['a', 'b', 'c']);
  });
});

describe('support for an answer', () => {
  const question = 'How do I store documents in a MongoDB collection?';
  const asked = [...new Set(terms(question))]; // store, document, mongodb, collect
  const statistics = { chunks: 1_000, documentFrequency: [50, 200, 0, 100] };

  it('weighs each question term by its IDF in the collection, and a term the collection never uses three times', () => {
    const weights = [50, 200, 0, 100].map((df) => inverseDocumentFrequency(1_000, df) * (df ? 1 : absentTermWeight));
    const total = weights.reduce((a, b) => a + b, 0);
    const chunk = 'Documents are stored in a collection.';
    expect(support(statistics, asked, [chunk])).toBeCloseTo(((weights[0] as number) + (weights[1] as number) + (weights[3] as number)) / total, 10);
    // The unknown word carries most of the weight: the chunk holds every other word and still does not support it.
    expect(support(statistics, asked, [chunk])).toBeLessThan(0.5);
  });

  it('is the best single chunk, not the union of chunks', () => {
    const everyWordOnce = ['documents', 'stored', 'mongodb', 'collection'];
    expect(support(statistics, asked, everyWordOnce)).toBeLessThan(support(statistics, asked, ['Store MongoDB documents in a collection.']));
    expect(support(statistics, asked, ['Store MongoDB documents in a collection.'])).toBeCloseTo(1, 10);
    expect(support(statistics, asked, [])).toBe(0);
  });
});

describe('citations in an answer', () => {
  it('reads [n] markers, not indexes in quoted code', () => {
    expect([...citedNumbers('argv[0] is the script name [2]. See x[3] and also.[4] ([5])')]).toEqual([2, 4, 5]);
  });

  it('splits an answer into its claims with the sources each cites', () => {
    expect(claims('First claim. [1] Second, with argv[0]. [2][3] Trailing text')).toEqual([
      { text: 'First claim.', cites: [1] },
      { text: 'Second, with argv[0].', cites: [2, 3] },
      { text: 'Trailing text', cites: [] },
    ]);
  });
});
