import { describe, expect, it } from 'vitest';
import { chunkText, defaultChunkOptions } from '../../../shared/rag/chunker.js';
import { prng } from '../drift/random.js';

/** The letters of a text in order: what chunking must neither lose nor repeat when nothing overlaps. */
const letters = (text: string) => text.replace(/[^a-z]/g, '');

function randomDocument(random: () => number): string {
  const word = () => 'abcdefghijklmnopqrstuvwxyz'.slice(0, 1 + Math.floor(random() * 14));
  const words = (n: number) => Array.from({ length: n }, word).join(' ');
  const blocks = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
    const kind = random();
    const body = words(1 + Math.floor(random() * 12));
    // A paragraph, a list item (its marker takes room) or a paragraph that must be escaped
    // where it starts a chunk (room for the backslash).
    if (kind < 0.4) return body;
    if (kind < 0.7) return `- ${body}`;
    return `\\# ${body}`;
  });
  return blocks.join('\n\n');
}

describe('the chunk size limit', () => {
  it('is never exceeded, for every limit from 6 to 40, and no letter is lost or repeated', () => {
    const random = prng(21);
    for (let trial = 0; trial < 300; trial++) {
      const maxChars = 6 + (trial % 35);
      const text = randomDocument(random);
      const chunks = chunkText(text, { maxChars, overlapChars: 0 });
      for (const chunk of chunks) expect(chunk.text.length, `${JSON.stringify(chunk.text)} (limit ${maxChars}) of ${JSON.stringify(text)}`).toBeLessThanOrEqual(maxChars);
      expect(letters(chunks.map((c) => c.text).join(''))).toBe(letters(text));
      expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    }
  });

  it('splits a long line into runs of whole words that leave room for an escape, cutting only a word too long', () => {
    // Runs of at most 8 - 1 characters: "aaaa" (the next word would make 8), "bbb cc", then the
    // 10-letter word cut at 7.
    expect(chunkText('aaaa bbb cc dddddddddd', { maxChars: 8, overlapChars: 0 }).map((c) => c.text)).toEqual(['aaaa', 'bbb cc', 'ddddddd', 'ddd']);
    // Two runs that fit in one chunk together share it: 3 + 1 + 3 <= 8.
    expect(chunkText('aaa bbb cccccccc', { maxChars: 8, overlapChars: 0 }).map((c) => c.text)).toEqual(['aaa bbb', 'ccccccc', 'c']);
  });

  it('packs a run up to exactly the room it has', () => {
    // Runs of at most 7 (8 less room for an escape): "aaa bbb" is exactly 7, so "cc" starts the next.
    expect(chunkText('aaa bbb cc', { maxChars: 8, overlapChars: 0 }).map((c) => c.text)).toEqual(['aaa bbb', 'cc']);
  });

  it('cuts a code line longer than the room inside the fences (limit less 10), each piece fenced', () => {
    const fence = (body: string) => '```\n' + body + '\n```';
    expect(chunkText(fence('abcdefghijklmnopqrstuvwxyz'), { maxChars: 20, overlapChars: 0 }).map((c) => c.text)).toEqual([
      fence('abcdefghij'),
      fence('klmnopqrst'),
      fence('uvwxyz'),
    ]);
    // Short lines share a piece while they fit in the 10 characters: "ab\ncd" is 5 + 1.
    expect(chunkText(fence('ab\ncd\nefghijk'), { maxChars: 20, overlapChars: 0 }).map((c) => c.text)).toEqual([fence('ab\ncd'), fence('efghijk')]);
  });

  it('keeps a block exactly at the limit whole, and splits one a character over', () => {
    expect(chunkText('abcd efg', { maxChars: 8, overlapChars: 0 }).map((c) => c.text)).toEqual(['abcd efg']);
    expect(chunkText('abcd efgh', { maxChars: 8, overlapChars: 0 }).map((c) => c.text)).toEqual(['abcd', 'efgh']);
    expect(chunkText('- abc de', { maxChars: 8, overlapChars: 0 }).map((c) => c.text)).toEqual(['- abc de']);
  });

  it('labels chunks with the heading path, skipping levels and climbing back up', () => {
    const text = '# A\n\none\n\n### C\n\ntwo\n\n## B\n\nthree\n\n# D\n\nfour';
    expect(chunkText(text).map((c) => [c.heading, c.text])).toEqual([
      ['A', 'one'],
      ['A > C', 'two'],
      ['A > B', 'three'],
      ['D', 'four'],
    ]);
    expect(chunkText('no heading')[0]).toEqual({ index: 0, text: 'no heading' });
  });

  it('carries over at most half the limit, however much overlap is asked for', () => {
    const body = Array.from({ length: 30 }, (_, i) => `Sentence ${String(i).padStart(2, '0')} is here.`).join(' ');
    const chunks = chunkText(body, { maxChars: 100, overlapChars: 1000 });
    expect(chunks.length).toBeGreaterThan(3);
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]?.text as string;
      const next = chunks[i]?.text as string;
      // The longest end of the previous chunk that the next one starts with.
      let carried = 0;
      for (let n = Math.min(previous.length, next.length); n > 0; n--) {
        if (next.startsWith(previous.slice(previous.length - n))) {
          carried = n;
          break;
        }
      }
      expect(carried, `${previous} | ${next}`).toBeGreaterThan(0);
      expect(carried).toBeLessThanOrEqual(50);
    }
  });

  it('separates paragraphs by a blank line, list items and table rows by a line break, and escapes prose that starts a line', () => {
    const text = 'one\n\n\\# not a heading\n\n- a\n- b\n\nafter\n\n| x |\n|---|\n| 1 |';
    expect(chunkText(text).map((c) => c.text)).toEqual(['one\n\n\\# not a heading\n\n- a\n- b\n\nafter\n\n| x |\n| 1 |']);
  });

  it('carries a whole list item over with its marker', () => {
    const items = Array.from({ length: 8 }, (_, i) => `- Item number ${i} has a sentence.`).join('\n');
    const chunks = chunkText(items, { maxChars: 80, overlapChars: 40 });
    expect(chunks.length).toBeGreaterThan(2);
    for (let i = 1; i < chunks.length; i++) {
      const lastLine = (chunks[i - 1]?.text as string).split('\n').at(-1) as string;
      expect(lastLine.startsWith('- Item number')).toBe(true);
      expect(chunks[i]?.text.startsWith(`${lastLine}\n`)).toBe(true);
    }
  });

  it('carries only the last sentences of a long paragraph, as a paragraph of their own', () => {
    const sentencesOf = (n: number) => Array.from({ length: n }, (_, i) => `Point ${i} holds.`).join(' ');
    const chunks = chunkText(sentencesOf(20), { maxChars: 60, overlapChars: 20 });
    for (let i = 1; i < chunks.length; i++) {
      const previous = chunks[i - 1]?.text as string;
      const last = previous.slice(previous.lastIndexOf('Point'));
      // One sentence (15 or 16 characters) fits in 20; two do not.
      expect(chunks[i]?.text.startsWith(`${last} Point`)).toBe(true);
    }
  });

  it('defaults to 1,000 characters with 150 of overlap', () => {
    expect(defaultChunkOptions).toEqual({ maxChars: 1_000, overlapChars: 150 });
    const long = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    const chunks = chunkText(long);
    expect(chunks.every((c) => c.text.length <= 1_000)).toBe(true);
    expect(chunks.length).toBe(2);
  });
});

/**
 * The bodies of the fenced blocks of a chunk, read line by line as CommonMark reads them: a fence
 * line of backticks opens a block that only the same fence closes; blank lines lie between blocks.
 */
function fencedBodies(text: string): string[] {
  const bodies: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]!;
    if (open === '') continue;
    expect(open, `a fence opening in ${JSON.stringify(text)}`).toMatch(/^`{3,}$/);
    const close = lines.indexOf(open, i + 1);
    expect(close, `the fence closing in ${JSON.stringify(text)}`).toBeGreaterThan(i);
    bodies.push(lines.slice(i + 1, close).join('\n'));
    i = close;
  }
  return bodies;
}

describe('code holding runs of backticks', () => {
  // Issue 21 review of mutant chunker.ts:179: a fence is one backtick longer than the longest run
  // in the code, so a piece's room inside its fences depends on the code, not on a fixed 10.
  const backtickCode = (run: number, padding: number) => {
    const tick = '`'.repeat(run);
    return 'x'.repeat(padding) + tick + 'y'.repeat(padding) + '\n' + tick + ' z';
  };

  it('stays within the limit for every run length and limit, and keeps every character of the code', () => {
    for (let maxChars = 12; maxChars <= 48; maxChars++) {
      for (let run = 3; run <= 14; run++) {
        const code = backtickCode(run, 6);
        const fence = '`'.repeat(run + 1);
        const chunks = chunkText(`${fence}\n${code}\n${fence}`, { maxChars, overlapChars: 0 });
        for (const chunk of chunks) expect(chunk.text.length, `${JSON.stringify(chunk.text)} (limit ${maxChars}, run ${run})`).toBeLessThanOrEqual(maxChars);
        const inner = chunks.flatMap((c) => fencedBodies(c.text));
        expect(inner.join('').replace(/\n/g, '')).toBe(code.replace(/\n/g, ''));
      }
    }
  });

  it('fits a line of ten backticks at a limit of 30 (the case the review found gave 40 characters)', () => {
    const code = '`'.repeat(10);
    const chunks = chunkText('````````````\n' + code + '\n````````````', { maxChars: 30, overlapChars: 0 });
    expect(Math.max(...chunks.map((c) => c.text.length))).toBeLessThanOrEqual(30);
    expect(chunks.flatMap((c) => fencedBodies(c.text)).join('')).toBe(code);
  });
});
