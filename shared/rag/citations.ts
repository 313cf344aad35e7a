/**
 * A citation in an answer: `[n]` with one to three digits, not glued to a word
 * before it, so an index in quoted code (`argv[0]`, `x[2]`) is not read as one.
 */
const citation = /(?<![\p{L}\p{N}_])\[(\d{1,3})\]/gu;

/** The source numbers an answer cites. */
export function citedNumbers(answer: string): Set<number> {
  const numbers = new Set<number>();
  for (const match of answer.matchAll(citation)) numbers.add(Number(match[1]));
  return numbers;
}

/** The answer's text between citations: the claims, each as written. */
export function claims(answer: string): Array<{ text: string; cites: number[] }> {
  const out: Array<{ text: string; cites: number[] }> = [];
  let from = 0;
  let text = '';
  let cites: number[] = [];
  const flush = () => {
    if (text.trim()) out.push({ text: text.trim(), cites });
    text = '';
    cites = [];
  };
  for (const match of answer.matchAll(citation)) {
    const between = answer.slice(from, match.index);
    if (between.trim()) {
      if (cites.length) flush();
      text += between;
    }
    cites.push(Number(match[1]));
    from = match.index + match[0].length;
  }
  if (cites.length) flush();
  text += answer.slice(from);
  flush();
  return out;
}
