/**
 * Sentences of prose by Unicode's sentence boundaries (Intl.Segmenter, ICU's UAX #29 rules:
 * "v1.2", "e.g. here" and "3.5 GB" do not end a sentence), then two corrections ICU does not
 * make without its locale exception lists, which Node's Intl does not expose:
 * - an abbreviation or an initial before a capital does not end one ("See Fig. 3", "Dr. Lee",
 *   "J. Smith");
 * - a boundary inside inline code (between backticks) is not one ("`a. B`").
 * A line break is a hard boundary (blocks arrive with their soft breaks joined already).
 *
 * V8's segmenter takes time quadratic in the length of the string it is given (0.6 s for
 * 100 KB of short sentences, 25 ms for the same in 1 KB windows), so it reads a window at a
 * time: every boundary in a window but the last is final, and the next window starts at the
 * last one. A sentence longer than a window is cut at the window's end.
 */
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const windowChars = 2_048;

/** Sentence segments of a line, in order, covering it, through bounded windows. */
function* segments(line: string): Generator<string> {
  let start = 0;
  while (start < line.length) {
    const end = Math.min(line.length, start + windowChars);
    const pieces = [...segmenter.segment(line.slice(start, end))].map((s) => s.segment);
    // The window's last segment may continue past its end: read it again from its start, unless it is all there is.
    const final = end === line.length || pieces.length === 1 ? pieces.length : pieces.length - 1;
    for (let i = 0; i < final; i++) {
      const piece = pieces[i] as string;
      start += piece.length;
      yield piece;
    }
  }
}

/** Lower-cased, without the final period. "No." counts only before a number ("No. 5"). */
const abbreviations = new Set([
  'e.g', 'i.e', 'cf', 'vs', 'viz', 'al', 'approx', 'ca', 'dr', 'mr', 'mrs', 'ms', 'prof', 'sr', 'jr', 'st', 'mt', 'fig', 'figs', 'eq', 'sec', 'ch',
  'vol', 'ed', 'eds', 'inc', 'ltd', 'co', 'corp', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'ref', 'resp',
]);

function lastWord(text: string): string {
  let end = text.length;
  while (end > 0 && /\s/.test(text[end - 1] as string)) end--;
  let start = end;
  while (start > 0 && !/[\s(["'“‘]/.test(text[start - 1] as string)) start--;
  return text.slice(start, end);
}

/** Whether a boundary after `before` is an abbreviation's period rather than a sentence end. */
function endsWithAbbreviation(before: string, after: string): boolean {
  const word = lastWord(before);
  if (!word.endsWith('.')) return false;
  const bare = word.slice(0, -1).toLowerCase();
  if (abbreviations.has(bare)) return true;
  if (bare === 'no' || bare === 'nos' || bare === 'p' || bare === 'pp') return /^\d/.test(after);
  // A single capital: an initial.
  return word.length === 2 && /\p{Lu}/u.test(word[0] as string);
}

function backticks(text: string): number {
  let n = 0;
  for (const char of text) if (char === '`') n++;
  return n;
}

/** The sentences of one line of prose, trimmed. */
function lineSentences(line: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let open = 0; // backticks in `current`
  const flush = () => {
    const sentence = current.join('').trim();
    if (sentence) out.push(sentence);
  };
  for (const segment of segments(line)) {
    const previous = current.at(-1);
    if (previous !== undefined && (open % 2 === 1 || endsWithAbbreviation(previous, segment.trimStart()))) {
      current.push(segment);
      open += backticks(segment);
      continue;
    }
    flush();
    current = [segment];
    open = backticks(segment);
  }
  flush();
  return out;
}

export function sentences(prose: string): string[] {
  return prose.split('\n').flatMap(lineSentences);
}
