import { describe, expect, it } from 'vitest';
import { documentOfChunkId } from '../../../shared/rag/chunk-id.js';
import { diversified } from '../../../shared/rag/diversify.js';

describe('the per-document cap on sources', () => {
  const ranked = ['a:0', 'a:1', 'a:2', 'b:0', 'a:3', 'c:0', 'b:1', 'b:2', 'd:0'].map((id, i) => ({ id, score: 10 - i }));

  it('keeps the best k in rank order, one chunk of each document', () => {
    expect(diversified(ranked, 5).map((h) => h.id)).toEqual(['a:0', 'b:0', 'c:0', 'd:0']);
    expect(diversified(ranked, 2).map((h) => h.id)).toEqual(['a:0', 'b:0']);
  });

  it('takes another cap and another way to read a document from an id', () => {
    expect(diversified(ranked, 5, documentOfChunkId, 2).map((h) => h.id)).toEqual(['a:0', 'a:1', 'b:0', 'c:0', 'b:1']);
    expect(diversified([{ id: 'x#1', score: 1 }, { id: 'x#2', score: 1 }], 5, (id) => id.split('#')[0] as string, 1)).toEqual([{ id: 'x#1', score: 1 }]);
  });

  it('reads the document of an item id up to its last colon', () => {
    expect(documentOfChunkId('3f2a:b:17')).toBe('3f2a:b');
    // An id that is not a chunk id is a document of its own, not part of a document named ''.
    expect(documentOfChunkId('plain')).toBe('plain');
  });
});
