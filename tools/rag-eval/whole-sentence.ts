/**
 * Whether an answer piece is a whole sentence of the source it cites, as the evaluation counts
 * it: the piece occurs in the cited chunk's text (spaces normalised), ends with sentence-final
 * punctuation (closing quotes or brackets allowed after it), and begins where a sentence
 * begins: at the start of a block (the chunk's start, a blank line, a list marker) or after
 * sentence-final punctuation. A line of a paragraph cut at its source line break fails the
 * first test or the last; a run of words cut from a long sentence fails one of them too.
 */
const sentenceEnd = /[.!?:]["'”’)\]]{0,3}$/u;

function normalised(text: string): string {
  return text.replace(/[ \t]+/g, ' ');
}

/** Where a sentence can begin, judged by the text before it. */
function beginsSentence(before: string, atStart: boolean): boolean {
  if (atStart || /\n\n\\?$/.test(before) || before === '\\') return true;
  const line = before.slice(before.lastIndexOf('\n') + 1);
  const lineStarts = before.includes('\n') || before.length < 16;
  if (lineStarts && /^(?:[-*+]|\d{1,9}[.)]) $/.test(line)) return true;
  return /\s$/.test(before) && sentenceEnd.test(before.trimEnd());
}

export function isWholeSentence(piece: string, sourceText: string): boolean {
  const text = normalised(piece.trim());
  if (!text || !sentenceEnd.test(text)) return false;
  const source = normalised(sourceText);
  for (let at = source.indexOf(text); at >= 0; at = source.indexOf(text, at + 1)) {
    if (beginsSentence(source.slice(Math.max(0, at - 16), at), at === 0)) return true;
  }
  return false;
}
