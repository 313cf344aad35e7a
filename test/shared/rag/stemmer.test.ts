import { describe, expect, it } from 'vitest';
import { porter2 } from '../../../shared/rag/stemmer.js';
import { terms } from '../../../shared/rag/text.js';

describe('the Porter2 stemmer', () => {
  it('gives the Snowball English stems', () => {
    const expected: Record<string, string> = {
      consign: 'consign', consigned: 'consign', consigning: 'consign', consignment: 'consign', generously: 'generous', knightly: 'knight', running: 'run',
      cries: 'cri', ties: 'tie', dying: 'die', agreed: 'agre', abilities: 'abil', happily: 'happili', connections: 'connect', relational: 'relat',
      hopefulness: 'hope', sensibility: 'sensibl', triplicate: 'triplic', formalize: 'formal', electrical: 'electr', adjustment: 'adjust',
      controlling: 'control', rolling: 'roll', caresses: 'caress', ponies: 'poni', cats: 'cat', feed: 'feed', plastered: 'plaster', hopping: 'hop',
      filing: 'file', happy: 'happi', sky: 'sky', generate: 'generat', communication: 'communic', directories: 'directori', sorted: 'sort',
    };
    expect(Object.fromEntries(Object.keys(expected).map((w) => [w, porter2(w)]))).toEqual(expected);
  });

  it('makes the keyword terms: stop words dropped, inflections folded', () => {
    expect(terms('What are the pipelines and their steps?')).toEqual(['pipelin', 'step']);
    expect(terms('Connecting connected connections')).toEqual(['connect', 'connect', 'connect']);
  });
});
