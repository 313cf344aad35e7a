import type { Block } from './blocks.js';
import { boundedLines } from './lines.js';
import { classifyLine, fenceOf, indentOf, runOf } from './markdown-lines.js';

/**
 * Markdown to blocks, the subset documentation uses: ATX and setext headings, paragraphs whose
 * soft line breaks are joined (a line break inside a paragraph is not the end of a sentence),
 * list items, block quotes (read as paragraphs), fenced and indented code (kept verbatim),
 * table rows, thematic breaks. Plain text reads the same way: blank lines split paragraphs.
 *
 * Each line is classified by its first few characters with loops and bounded patterns only, so
 * the work is linear in the input, however hostile (a regex with adjacent unbounded
 * quantifiers here once took seconds on one 2.5 KB line).
 */

/** Heading text without the `#`s and an optional closing run of `#`s (only after a space). */
function headingText(content: string): { level: number; text: string } {
  const level = runOf(content, '#');
  let text = content.slice(level).trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0 || text[end - 1] === ' ' || text[end - 1] === '\t') text = text.slice(0, end);
  return { level, text: collapseSpaces(text) };
}

/** A delimiter row (`|---|:--:|`) carries no text. */
function isDelimiterRow(content: string): boolean {
  for (const c of content) if (c !== '|' && c !== '-' && c !== ':' && c !== ' ' && c !== '\t') return false;
  return true;
}

/**
 * A backslash before leading punctuation, or before an ordered-list number ("\\1."), is the
 * escape `renderBlocks` writes for prose that would otherwise read as structure.
 */
function unescapeLeading(text: string): string {
  if (text[0] !== '\\' || text.length < 2) return text;
  return /^[!-/:-@[-`{-~]/.test(text.slice(1)) || /^\d+[.)]/.test(text.slice(1)) ? text.slice(1) : text;
}

/** Runs of whitespace in prose become one space. */
export function collapseSpaces(text: string): string {
  let out = '';
  let space = false;
  for (const char of text) {
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v' || char === '\u00a0') space = out.length > 0;
    else {
      if (space) out += ' ';
      out += char;
      space = false;
    }
  }
  return out;
}

export function markdownBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let marker: string | undefined;
  let fence: { char: string; length: number; indent: number; lines: string[] } | undefined;
  let indented: string[] | undefined;

  const flush = () => {
    const text = collapseSpaces(paragraph.join(' '));
    if (text) blocks.push(marker === undefined ? { kind: 'prose', text: unescapeLeading(text) } : { kind: 'prose', text: unescapeLeading(text), marker });
    paragraph = [];
    marker = undefined;
  };
  const flushIndented = () => {
    if (!indented) return;
    while (indented.length && !indented.at(-1)?.trim()) indented.pop();
    if (indented.length) blocks.push({ kind: 'code', text: indented.join('\n') });
    indented = undefined;
  };
  const lastIsListItem = () => {
    const last = blocks.at(-1);
    return last?.kind === 'prose' && last.marker !== undefined;
  };

  for (const line of boundedLines(markdown)) {
    if (fence) {
      const { width, start } = indentOf(line);
      const content = line.slice(start);
      const closing = width <= 3 && content[0] === fence.char && runOf(content, fence.char) >= fence.length && !content.slice(runOf(content, fence.char)).trim();
      if (closing) {
        blocks.push({ kind: 'code', text: fence.lines.join('\n') });
        fence = undefined;
      } else {
        // Lines inside a fence lose at most the fence's own indentation.
        const strip = Math.min(fence.indent, start);
        fence.lines.push(line.slice(strip));
      }
      continue;
    }
    const kind = classifyLine(line);
    const { width, start } = indentOf(line);
    if (indented) {
      if (kind === 'blank' || width >= 4) {
        indented.push(kind === 'blank' ? '' : line.slice(Math.min(start, 4)));
        continue;
      }
      flushIndented();
    }
    const content = line.slice(start);
    switch (kind) {
      case 'blank':
        flush();
        break;
      case 'fence': {
        flush();
        const open = fenceOf(content) as { char: string; length: number };
        fence = { ...open, indent: start, lines: [] };
        break;
      }
      case 'heading':
        flush();
        blocks.push({ kind: 'heading', ...headingText(content) });
        break;
      case 'rule':
        // `---` under a paragraph line underlines a setext heading; otherwise it only separates.
        if (content[0] === '-' && paragraph.length && marker === undefined && !content.includes(' ')) {
          const text = collapseSpaces(paragraph.join(' '));
          paragraph = [];
          blocks.push({ kind: 'heading', level: 2, text });
        } else flush();
        break;
      case 'row':
        flush();
        if (!isDelimiterRow(content)) blocks.push({ kind: 'row', text: collapseSpaces(content) });
        break;
      case 'item': {
        flush();
        let digits = 0;
        while ('0123456789'.includes(content[digits] ?? 'x')) digits++;
        marker = digits ? `${content.slice(0, digits)}. ` : '- ';
        paragraph.push(content.slice(digits ? digits + 1 : 1));
        break;
      }
      case 'quote':
        paragraph.push(content.slice(content[1] === ' ' ? 2 : 1));
        break;
      case 'text':
        if (width >= 4 && !paragraph.length && !lastIsListItem()) {
          indented = [line.slice(Math.min(start, 4))];
          break;
        }
        // `===` under a paragraph line underlines a level-1 setext heading.
        if (paragraph.length && marker === undefined && runOf(content, '=') === content.trimEnd().length) {
          const text = collapseSpaces(paragraph.join(' '));
          paragraph = [];
          blocks.push({ kind: 'heading', level: 1, text });
          break;
        }
        paragraph.push(content);
        break;
    }
  }
  if (fence) blocks.push({ kind: 'code', text: fence.lines.join('\n') });
  flushIndented();
  flush();
  return blocks.filter((b) => b.kind === 'code' || b.text !== '');
}
