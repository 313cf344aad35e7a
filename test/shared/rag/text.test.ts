import { describe, expect, it } from 'vitest';
import { isStopWord, stem, terms, words } from '../../../shared/rag/text.js';

describe('words and terms as retrieval sees them', () => {
  it('lower-cases runs of letters and digits in any script', () => {
    expect(words('Deploy v2 to São-Paulo, 東京 and Αθήνα!')).toEqual(['deploy', 'v2', 'to', 'são', 'paulo', '東京', 'and', 'αθήνα']);
    expect(words('')).toEqual([]);
    expect(words('... --- !!!')).toEqual([]);
  });

  it("drops an apostrophe's suffix, straight or curly, and keeps a word that only starts one", () => {
    expect(words("Don't touch Arbor’s logs")).toEqual(['don', 'touch', 'arbor', 'logs']);
    expect(words("'quoted' rock'n'roll")).toEqual(['quoted', 'rock', 'roll']);
    expect(words("it's 90's")).toEqual(['it', '90']);
    // The whole suffix goes, not only its first letter.
    expect(words("we'll be there at o'clock")).toEqual(['we', 'be', 'there', 'at', 'o']);
  });

  it('counts stop words and single letters as no content, but not single digits', () => {
    expect(['the', 'and', 'yours', 'x', 'é'].map(isStopWord)).toEqual([true, true, true, true, true]);
    expect(['7', '42', 'pipeline', 'ab'].map(isStopWord)).toEqual([false, false, false, false]);
  });

  it('keeps content words only, stemmed', () => {
    expect(stem('pipelines')).toBe(stem('pipeline'));
    expect(terms('The pipelines are running in 3 regions')).toEqual([stem('pipelines'), stem('running'), '3', stem('regions')]);
    expect(terms('a I the of')).toEqual([]);
    expect(terms('Running RUNS')).toEqual([stem('running'), stem('runs')]);
    expect(stem('running')).toBe('run');
  });
});
