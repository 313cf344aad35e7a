import { describe, expect, it } from 'vitest';
import type { Block } from '../../../shared/rag/blocks.js';
import { chunkBlocks, chunkText } from '../../../shared/rag/chunker.js';
import { htmlToBlocks } from '../../../shared/rag/html.js';

/**
 * The chunker's boundaries, each worked out by hand from its rules rather than read off its
 * output (issue 21, the mutants that survived `npm run test:mutation -- rag-chunker`):
 * - a piece's rendered length counts its separator from the piece before it ("\n\n" between
 *   blocks, "\n" between list items or table rows, " " between sentences of one paragraph) and
 *   a leading backslash where prose starting a line would read as Markdown structure;
 * - a chunk takes pieces while that running length stays within maxChars;
 * - the overlap carried into the next chunk is the previous chunk's last whole sentences, each
 *   costing its length + 2 (room for a separator or an escape), + 1 for the space joining it to
 *   a sentence after it in the same piece, while the sum stays within the overlap;
 * - a carried overlap that does not fit beside the next piece is dropped, not trimmed.
 */
const texts = (text: string, maxChars: number, overlapChars = 0) => chunkText(text, { maxChars, overlapChars }).map((c) => c.text);

describe('escaping prose that starts a chunk', () => {
  // "Look here." 10, "# Not a heading." 16, "Next one." 9: 37 in all, so every limit below splits the
  // paragraph into its sentences.
  const paragraph = 'Look here. # Not a heading. Next one.';

  it('escapes a sentence from inside a paragraph when it starts a chunk', () => {
    // 10 + 1 + 16 = 27 > 20: the second sentence starts a chunk, escaped (17), and 17 + 1 + 9 > 20.
    expect(texts(paragraph, 20)).toEqual(['Look here.', '\\# Not a heading.', 'Next one.']);
  });

  it('does not escape it in the middle of a line, nor count an escape there', () => {
    // 10 + 1 + 16 = 27 fits in 30 and exactly in 27, unescaped; + 1 + 9 = 37 does not.
    expect(texts(paragraph, 30)).toEqual(['Look here. # Not a heading.', 'Next one.']);
    expect(texts(paragraph, 27)).toEqual(['Look here. # Not a heading.', 'Next one.']);
  });
});

describe('headings', () => {
  it('labels a document that starts below the top level with its own heading only', () => {
    expect(chunkText('## Install\n\nRun it.')).toEqual([{ index: 0, text: 'Run it.', heading: 'Install' }]);
    expect(chunkText('### Deep\n\nx\n\n# Top\n\ny').map((c) => c.heading)).toEqual(['Deep', 'Top']);
  });

  it('yields no chunk for a section whose blocks hold no words', () => {
    const blocks: Block[] = [
      { kind: 'heading', level: 1, text: 'Empty' },
      { kind: 'row', text: '' },
      { kind: 'heading', level: 1, text: 'Full' },
      { kind: 'prose', text: 'x' },
    ];
    expect(chunkBlocks(blocks, { maxChars: 20, overlapChars: 5 })).toEqual([{ index: 0, text: 'x', heading: 'Full' }]);
    expect(chunkBlocks([{ kind: 'row', text: '' }], { maxChars: 20, overlapChars: 5 })).toEqual([]);
  });
});

describe('words longer than the room', () => {
  it('cuts a word into runs of the room (the limit less one for an escape), with nothing empty between', () => {
    // A lone 12-letter word at limit 8: runs of 7, then the rest.
    expect(texts('abcdefghijkl', 8)).toEqual(['abcdefg', 'hijkl']);
    // Exactly twice the room: two full runs, no empty third one.
    expect(texts('abcdefghijklmn', 8)).toEqual(['abcdefg', 'hijklmn']);
  });
});

describe('packing to the limit', () => {
  it('fills a chunk exactly to the limit with two blocks, and not one character more', () => {
    // 3 + 2 ("\n\n") + 4 = 9.
    expect(texts('abc\n\ndefg', 9)).toEqual(['abc\n\ndefg']);
    expect(texts('abc\n\ndefgh', 9)).toEqual(['abc', 'defgh']);
  });

  it('does not split a paragraph that fits in a chunk of its own', () => {
    // "abcd efg" is 8: it cannot follow "xy" (2 + 2 + 8 > 8), so it starts the next chunk whole.
    expect(texts('xy\n\nabcd efg', 8)).toEqual(['xy', 'abcd efg']);
  });

  it('puts a paragraph after a table a blank line below it', () => {
    expect(texts('| x |\n|---|\n| 1 |\n\nafter', 100)).toEqual(['| x |\n| 1 |\n\nafter']);
  });

  it('keeps the marker of a long list item on its first sentence', () => {
    // "- First point here." is 19; + 1 + "Second point here." (18) > 24.
    expect(texts('- First point here. Second point here.', 24)).toEqual(['- First point here.', 'Second point here.']);
  });
});

describe('long table rows', () => {
  it('cuts a row into runs of whole words that do not share a chunk', () => {
    // Runs of at most 8: "| key |" (7; + " v" would make 9), then "v". 7 + 1 + 1 > 8.
    expect(texts('| key | v', 8)).toEqual(['| key |', 'v']);
  });

  it('leaves no space at the end of a run where a row has an empty cell', () => {
    const { blocks } = htmlToBlocks('<table><tr><td>abc</td><td></td><td>de</td></tr></table>');
    expect(blocks).toEqual([{ kind: 'row', text: '| abc |  | de |' }]);
    // "| abc |" is 7 and the next word, "|", would make 9 > 8; the empty cell's extra space goes.
    expect(chunkBlocks(blocks, { maxChars: 8, overlapChars: 0 }).map((c) => c.text)).toEqual(['| abc |', '| de |']);
  });
});

describe('code at the limit', () => {
  const fence = (body: string) => '```\n' + body + '\n```';

  it('keeps a fenced block exactly at the limit whole', () => {
    // 4 + 12 + 4 = 20.
    expect(texts(fence('abcdefghijkl'), 20)).toEqual([fence('abcdefghijkl')]);
  });

  it('packs lines into a piece while their lengths, one newline each, fit in the limit less 10', () => {
    // The block is 24 > 20, so it is cut; the room is 10: "abcd" 5 + "efgh" 5 = 10 fits, + 7 does not.
    expect(texts(fence('abcd\nefgh\nijklmn'), 20)).toEqual([fence('abcd\nefgh'), fence('ijklmn')]);
    // "abcd" 5 + "efghi" 6 = 11 does not fit; "efghi" 6 + "jklm" 5 = 11 does not either.
    expect(texts(fence('abcd\nefghi\njklm'), 20)).toEqual([fence('abcd'), fence('efghi'), fence('jklm')]);
  });
});

describe('the overlap carried between chunks', () => {
  it('carries a sentence costing exactly the overlap, and none when it costs one more', () => {
    // Four 8-character sentences at limit 20: two to a chunk (8 + 1 + 8 = 17). The last one
    // carried costs 8 + 2 = 10.
    const paragraph = 'One one. Two two. Six six. Ten ten.';
    expect(texts(paragraph, 20, 10)).toEqual(['One one. Two two.', 'Two two. Six six.', 'Six six. Ten ten.']);
    expect(texts(paragraph, 20, 9)).toEqual(['One one. Two two.', 'Six six. Ten ten.']);
  });

  it('keeps the carried sentence when it and the next one fill the limit exactly, and drops it when one over', () => {
    // "One two three." 14 + 1 + "Four." 5 = 20. "Four." is carried (5 + 2 = 7 <= 10, with
    // "One two three." 23 > 10); then 5 + 1 + 14 = 20 fits, 5 + 1 + 15 = 21 does not.
    expect(texts('One two three. Four. Five six nine.', 20, 10)).toEqual(['One two three. Four.', 'Four. Five six nine.']);
    expect(texts('One two three. Four. Five six seven.', 20, 10)).toEqual(['One two three. Four.', 'Five six seven.']);
  });

  it('carries the last sentences of a whole paragraph as a paragraph of their own', () => {
    // "Red. Tan. Sky." is one piece. Carried from its end: "Sky." 4 + 2 = 6, "Tan." 4 + 1 + 2 = 7
    // (13), "Red." 7 more (20 > 16). Then 9 + 2 + 19 = 30 <= 32.
    const text = 'Red. Tan. Sky.\n\nClouds came at six.';
    expect(texts(text, 32, 16)).toEqual(['Red. Tan. Sky.', 'Tan. Sky.\n\nClouds came at six.']);
  });

  it('carries nothing from before a paragraph it carries only part of', () => {
    // "Ok." costs 5; "Longer sentence here." 21 + 1 + 2 more (29 > 12), so the paragraph is cut and
    // "Hi." before it, though it would fit (5 + 5 = 10), is not carried: the overlap stays contiguous.
    const text = 'Hi.\n\nLonger sentence here. Ok.\n\nThe end is near.';
    expect(texts(text, 40, 12)).toEqual(['Hi.\n\nLonger sentence here. Ok.', 'Ok.\n\nThe end is near.']);
  });

  it('carries part of a list item without its marker, and a whole one with it', () => {
    // The same sentences as a list item (16): only part of it is carried, so not as an item.
    expect(texts('- Red. Tan. Sky.\n\nClouds came at six.', 32, 16)).toEqual(['- Red. Tan. Sky.', 'Tan. Sky.\n\nClouds came at six.']);
  });

  it('carries several whole list items, then drops them when they and the next item do not fit', () => {
    // Items "- Ant." (6) and three more, "\n" between: 6 + 7 + 7 + 7 = 27. Carried with overlap 12:
    // "Dog." 4 + 2 = 6, "Cat." 6 more = 12, "Bee." 18 > 12. The carried "- Cat.\n- Dog." is 13.
    const items = '- Ant.\n- Bee.\n- Cat.\n- Dog.';
    // 13 + 1 + "- Eels swim." 12 = 26 <= 30.
    expect(texts(`${items}\n- Eels swim.`, 30, 12)).toEqual([items, '- Cat.\n- Dog.\n- Eels swim.']);
    // 13 + 1 + "- Eels swim fast." 17 = 31 > 30: the overlap goes.
    expect(texts(`${items}\n- Eels swim fast.`, 30, 12)).toEqual([items, '- Eels swim fast.']);
  });

  it('drops the whole previous chunk carried over when the next block does not fit beside it, rather than trimming it', () => {
    // "One.\n\nTwo." is 10 and all of it fits in the overlap (6 + 6 = 12 <= 20); 10 + 2 + 30 > 40.
    const text = 'One.\n\nTwo.\n\nThe third paragraph is longer.';
    expect(texts(text, 40, 20)).toEqual(['One.\n\nTwo.', 'The third paragraph is longer.']);
  });
});
