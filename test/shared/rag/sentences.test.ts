import { describe, expect, it } from 'vitest';
import { sentences } from '../../../shared/rag/sentences.js';

describe('sentences by Intl.Segmenter, corrected for abbreviations and code', () => {
  it('splits at sentence ends, not at decimals, versions, lower-case continuations or abbreviations', () => {
    expect(sentences('It works, e.g. here. Next one! And v1.2 is out. Is 3.5 GB enough? Yes.')).toEqual(['It works, e.g. here.', 'Next one!', 'And v1.2 is out.', 'Is 3.5 GB enough?', 'Yes.']);
    expect(sentences('See Fig. 3 for the layout. Dr. Lee and J. Smith wrote it. Page No. 4 says so.')).toEqual(['See Fig. 3 for the layout.', 'Dr. Lee and J. Smith wrote it.', 'Page No. 4 says so.']);
    expect(sentences('It lists apples, pears, etc. The rest is fruit too.')).toEqual(['It lists apples, pears, etc.', 'The rest is fruit too.']);
  });

  it('keeps inline code whole and reads a line break as a boundary', () => {
    expect(sentences('Call `os.path. Join()` to join. Then stop.')).toEqual(['Call `os.path. Join()` to join.', 'Then stop.']);
    expect(sentences('First line\nSecond line.')).toEqual(['First line', 'Second line.']);
  });

  it('reads a paragraph longer than its segmenter window the same as a short one', () => {
    const sentence = (i: number) => `Sentence ${i} is about topic ${i}.`;
    const long = Array.from({ length: 400 }, (_, i) => sentence(i)).join(' ');
    expect(sentences(long)).toEqual(Array.from({ length: 400 }, (_, i) => sentence(i)));
  });
});
