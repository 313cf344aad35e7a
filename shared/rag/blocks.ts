import { classifyLine } from './markdown-lines.js';

/**
 * A document as the chunker reads it, whatever its format: a sequence of blocks. Prose is
 * one paragraph, list item or definition with its soft line breaks already joined, so a
 * sentence never ends at a line break of the source; code keeps its lines and indentation;
 * a table row is one line of cells. HTML and Markdown each parse into blocks, and chunk text
 * is written back as Markdown (`renderBlocks`), which `markdownBlocks` reads the same way.
 */
export type Block =
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'prose'; text: string; /** "- " or "1. " for a list item. */ marker?: string }
  | { kind: 'code'; text: string }
  | { kind: 'row'; text: string };

/** Blocks of one kind that sit together without a blank line between them in Markdown. */
function tight(previous: Block, next: Block): boolean {
  if (previous.kind === 'row' && next.kind === 'row') return true;
  return previous.kind === 'prose' && next.kind === 'prose' && previous.marker !== undefined && next.marker !== undefined;
}

/** The longest run of backticks in a text. */
export function longestBacktickRun(text: string): number {
  let longest = 0;
  let run = 0;
  for (const char of text) {
    run = char === '`' ? run + 1 : 0;
    if (run > longest) longest = run;
  }
  return longest;
}

/** A code fence's length: one backtick longer than any run inside, so no line closes it early. */
export function fenceLength(longestRun: number): number {
  return Math.max(3, longestRun + 1);
}

/** One block as Markdown: a fence around code long enough that no line of the code closes it. */
export function renderBlock(block: Block): string {
  switch (block.kind) {
    case 'heading':
      return `${'#'.repeat(block.level)} ${block.text}`;
    case 'prose':
      return block.marker !== undefined ? `${block.marker}${escapeItem(block.marker, block.text)}` : escapeProse(block.text);
    case 'row':
      return block.text;
    case 'code': {
      const fence = '`'.repeat(fenceLength(longestBacktickRun(block.text)));
      return `${fence}\n${block.text}\n${fence}`;
    }
  }
}

/** Prose that Markdown would read as structure ("# 1 rule", "- 5 degrees") gets a leading backslash. */
export function escapeProse(text: string): string {
  return classifyLine(text) === 'text' && text[0] !== '\\' ? text : `\\${text}`;
}

/** An item's text, escaped where marker and text together would read as something else ("- --" is a rule). */
function escapeItem(marker: string, text: string): string {
  return classifyLine(`${marker}${text}`) === 'item' && text[0] !== '\\' ? text : `\\${text}`;
}

export function renderBlocks(blocks: readonly Block[]): string {
  let out = '';
  blocks.forEach((block, i) => {
    const previous = blocks[i - 1];
    if (previous) out += tight(previous, block) ? '\n' : '\n\n';
    out += renderBlock(block);
  });
  return out;
}
