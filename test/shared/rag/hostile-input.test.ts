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
 * runs that almost match, deep nesting, unterminated constructs). A correctness bound, not a
 * benchmark: linear parsers finish 100 KB in a few milliseconds of CPU, a quadratic or cubic
 * one takes seconds to hours (the heading regex this replaced: 4.6 s on 2.5 KB). CPU time, not
 * wall time, so other work on the machine does not fail the test.
 */
const size = 100_000;
const budgetMs = 200;

function cpuMs(work: () => unknown): number {
  work(); // compile first: the budget is for the parse, not the JIT
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const fill = (unit: string, prefix = '', suffix = '') => prefix + unit.repeat(Math.ceil((size - prefix.length - suffix.length) / unit.length)) + suffix;

const markdownInputs: Record<string, string> = {
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

const htmlInputs: Record<string, string> = {
  'deep nesting': fill('<div>'),
  'deep inline nesting and stray closers': fill('<b>', '', '</i>'.repeat(2_000)),
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

const proseInputs: Record<string, string> = {
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

describe(`parsers of user text finish ${size / 1000} KB of hostile input within ${budgetMs} ms of CPU`, () => {
  it.each(Object.entries(markdownInputs))('markdown and the chunker: %s', (_, input) => {
    expect(cpuMs(() => chunkText(input))).toBeLessThan(budgetMs);
    expect(cpuMs(() => markdownBlocks(input))).toBeLessThan(budgetMs);
  });

  it.each(Object.entries(htmlInputs))('html: %s', (_, input) => {
    expect(cpuMs(() => htmlToBlocks(input))).toBeLessThan(budgetMs);
  });

  it.each(Object.entries(proseInputs))('sentences and the keyword tokenizer: %s', (_, input) => {
    expect(cpuMs(() => sentences(input))).toBeLessThan(budgetMs);
    expect(cpuMs(() => terms(input))).toBeLessThan(budgetMs);
  });

  it('pdf page text: a long run of spaces, and many items', () => {
    const spaces = [{ str: ' '.repeat(size), hasEOL: false }, { str: 'x', hasEOL: true }];
    const items = Array.from({ length: size / 2 }, (_, i) => ({ str: i % 2 ? ' ' : 'a', hasEOL: i % 100 === 0 }));
    expect(cpuMs(() => pageText(spaces))).toBeLessThan(budgetMs);
    expect(cpuMs(() => pageText(items))).toBeLessThan(budgetMs);
  });

  it('the extractive answerer over five hostile 1,000-character sources', async () => {
    const sources = Object.values(proseInputs)
      .slice(0, 5)
      .map((text, i) => ({ n: i + 1, title: 't', text: text.slice(0, 1_000) }));
    const answer = async () => {
      for await (const piece of new ExtractiveAnswerer().answer(fill('a b. ').slice(0, 2_000), sources)) void piece;
    };
    await answer();
    const start = process.cpuUsage();
    await answer();
    const used = process.cpuUsage(start);
    expect((used.user + used.system) / 1000).toBeLessThan(budgetMs);
  });

  it('the heading that froze the host parses as a heading', () => {
    const blocks = markdownBlocks(`# a${' '.repeat(2_500)}x`);
    expect(blocks).toEqual([{ kind: 'heading', level: 1, text: 'a x' }]);
  });
});
