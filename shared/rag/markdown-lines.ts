/**
 * What a Markdown line is, from its first few characters: loops and bounded, anchored patterns
 * only, so classifying costs linear time in the line whatever it holds.
 */
export type LineKind = 'blank' | 'fence' | 'heading' | 'rule' | 'row' | 'item' | 'quote' | 'text';

const listMarker = /^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)/;
const headingMarker = /^#{1,6}(?:[ \t]|$)/;

/** Leading spaces and tabs: how far the line is indented, and where its content starts. */
export function indentOf(line: string): { width: number; start: number } {
  let width = 0;
  let start = 0;
  while (start < line.length && (line[start] === ' ' || line[start] === '\t')) {
    width += line[start] === '\t' ? 4 - (width % 4) : 1;
    start++;
  }
  return { width, start };
}

export function runOf(text: string, char: string, from = 0): number {
  let n = from;
  while (text[n] === char) n++;
  return n - from;
}

/** Three or more of one of - * _, spaces allowed between them, nothing else. */
function isRule(content: string): boolean {
  const char = content[0];
  if (char !== '-' && char !== '*' && char !== '_') return false;
  let count = 0;
  for (const c of content) {
    if (c === char) count++;
    else if (c !== ' ' && c !== '\t') return false;
  }
  return count >= 3;
}

export function fenceOf(content: string): { char: string; length: number } | undefined {
  const char = content[0];
  if (char !== '`' && char !== '~') return undefined;
  const length = runOf(content, char);
  if (length < 3) return undefined;
  // A backtick fence's info string may not hold a backtick (that would be inline code).
  if (char === '`' && content.indexOf('`', length) >= 0) return undefined;
  return { char, length };
}

export function classifyLine(line: string): LineKind {
  const { width, start } = indentOf(line);
  if (start === line.length) return 'blank';
  if (width > 3) return 'text';
  const content = line.slice(start);
  if (fenceOf(content)) return 'fence';
  if (headingMarker.test(content)) return 'heading';
  if (isRule(content)) return 'rule';
  if (content[0] === '|') return 'row';
  if (listMarker.test(content)) return 'item';
  if (content[0] === '>') return 'quote';
  return 'text';
}

