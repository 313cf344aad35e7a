import { describe, expect, it } from 'vitest';
import { chunkText } from '../../../shared/rag/chunker.js';
import { ExtractiveAnswerer } from '../../../shared/rag/extractive-answerer.js';
import { htmlToBlocks } from '../../../shared/rag/html.js';
import { markdownBlocks } from '../../../shared/rag/markdown.js';
import { pageText } from '../../../shared/rag/pdf.js';
import { sentences } from '../../../shared/rag/sentences.js';
import { terms } from '../../../shared/rag/text.js';

/**
 * Every parser of user text against inputs built to make backtracking regexes explode (long
 * runs that almost match, deep nesting, unterminated constructs). A bound on growth, not a
 * benchmark: each parse runs on 12.5 KB and on 100 KB of the same input, and eight times the
 * input may cost at most 24 times the CPU (linear work costs 8, quadratic 64, cubic 512; the
 * heading regex this replaced took 4.6 s on 2.5 KB). The factor of 3 is for a loaded machine,
 * where GC and cache effects pushed linear parses to 9-12x of a 4x step. A ratio measured
 * in one run holds on a loaded machine, where an absolute budget did not (ICU's sentence
 * segmenter alone takes 50-100 ms on 100 KB). Parses under 100 ms at 100 KB pass whatever their
 * ratio: their 12.5 KB time is a millisecond or less, too small to divide by on a busy machine,
 * and a quadratic pass over 100 KB takes seconds, not 100 ms.
 */
const small = 12_500;
const large = 100_000;
const growthLimit = 24;
const negligibleMs = 100;
const ceilingMs = 2_000;

/** The least CPU time of five runs after a warm-up: the budget is for the parse, not the JIT or a GC pause. */
function cpuMs(work: () => unknown): number {
  work();
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const start = process.cpuUsage();
    work();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return best;
}

type Hostile = (size: number) => string;

function expectLinear<T>(build: (size: number) => T, parse: (input: T) => unknown): void {
  const smallMs = cpuMs(() => parse(build(small)));
  const largeMs = cpuMs(() => parse(build(large)));
  expect(largeMs).toBeLessThan(ceilingMs);
  if (largeMs > negligibleMs) expect(largeMs / Math.max(smallMs, 1)).toBeLessThan(growthLimit);
}

const fill =
  (unit: string, prefix = '', suffix = ''): Hostile =>
  (size) =>
    prefix + unit.repeat(Math.ceil((size - prefix.length - suffix.length) / unit.length)) + suffix;

const markdownInputs: Record<string, Hostile> = {
  'heading, then spaces (the cubic regex)': fill(' ', '# a', 'x'),
  'heading of closing hashes': fill(' #', '# a'),
  'hashes only': fill('#'),
  'spaces, then a letter': fill(' ', '', 'x'),
  'tabs, then a letter': fill('\t', '', 'x'),
  'list markers': fill('- '),
  'ordered markers': fill('1. '),
  'table pipes': fill('|'),
  'backticks': fill('`'),
  'unclosed fence': fill('x\n', '```\n'),
  'quote markers': fill('> '),
  'setext underline': fill('=', 'title\n'),
  'blank lines': fill('\n'),
  'carriage returns': fill('\r'),
  'one word per line': fill('a\n'),
  'escapes': fill('\\'),
  'indented lines': fill('    x\n'),
};

const htmlInputs: Record<string, Hostile> = {
  'deep nesting': fill('<div>'),
  'deep inline nesting and stray closers': fill('<b>', '', '</i>'.repeat(500)),
  'unclosed list items': fill('<li>'),
  'nested tables': fill('<table><tr><td>'),
  'ampersands': fill('&'),
  'numeric reference starts': fill('&#'),
  'unterminated named references': fill('&amp'),
  'unclosed comment': fill('-', '<!--'),
  'unclosed attribute': fill('a ', '<p class="'),
  'angle brackets': fill('<'),
  'pre of spaces': fill(' ', '<pre>', '</pre>'),
  'admonitions': fill('<div class="note"><h3>Note</h3>'),
  'chrome': fill('<nav><aside>'),
  'headings': fill('<h1>a'),
};

const proseInputs: Record<string, Hostile> = {
  'abbreviations': fill('e.g. '),
  'initials': fill('A. '),
  'periods': fill('.'),
  'sentences': fill('A b. '),
  'backticks': fill('`a. B '),
  'spaces': fill(' '),
  'apostrophes': fill("a'"),
  'leading apostrophes': fill("'a"),
  'digits': fill('1'),
  'accented letters': fill('é'),
};

describe('parsers of user text grow linearly on hostile input', () => {
  it.each(Object.entries(markdownInputs))('markdown and the chunker: %s', (_, build) => {
    expectLinear(build, chunkText);
    expectLinear(build, markdownBlocks);
  });

  it.each(Object.entries(htmlInputs))('html: %s', (_, build) => {
    expectLinear(build, htmlToBlocks);
  });

  it.each(Object.entries(proseInputs))('sentences and the keyword tokenizer: %s', (_, build) => {
    expectLinear(build, sentences);
    expectLinear(build, terms);
  });

  it('pdf page text: a long run of spaces, and many items', () => {
    expectLinear((size) => [{ str: ' '.repeat(size), hasEOL: false }, { str: 'x', hasEOL: true }], pageText);
    expectLinear((size) => Array.from({ length: size / 2 }, (_, i) => ({ str: i % 2 ? ' ' : 'a', hasEOL: i % 100 === 0 })), pageText);
  });

  it('the extractive answerer over five hostile 1,000-character sources', async () => {
    const sources = Object.values(proseInputs)
      .slice(0, 5)
      .map((build, i) => ({ n: i + 1, title: 't', text: build(1_000) }));
    const answer = async () => {
      for await (const piece of new ExtractiveAnswerer().answer(fill('a b. ')(2_000), sources)) void piece;
    };
    await answer();
    const start = process.cpuUsage();
    await answer();
    const used = process.cpuUsage(start);
    // Inputs this small leave no room for a ratio; a super-linear pass over them still takes seconds.
    expect((used.user + used.system) / 1000).toBeLessThan(ceilingMs / 10);
  });

  it('the heading that froze the host parses as a heading', () => {
    const blocks = markdownBlocks(`# a${' '.repeat(2_500)}x`);
    expect(blocks).toEqual([{ kind: 'heading', level: 1, text: 'a x' }]);
  });
});
