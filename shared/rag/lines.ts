/**
 * Longest line the parsers look at. A longer line is cut into pieces at its last space before
 * the limit (or at the limit when there is none), so per-line work stays bounded whatever a
 * document holds. In prose the pieces join again (a soft line break is a space); in code a cut
 * line is the price of a 4 KB line.
 */
export const maxLineChars = 4_096;

/** The lines of a text (`\n`, `\r\n` or `\r`), none longer than `max`. */
export function boundedLines(text: string, max = maxLineChars): string[] {
  const out: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = start;
    while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
    let from = start;
    while (end - from > max) {
      // Looks back no further than this piece, so a line without spaces costs linear time too.
      let space = from + max;
      while (space > from && text[space] !== ' ') space--;
      const cut = space > from ? space : from + max;
      out.push(text.slice(from, cut));
      from = space > from ? cut + 1 : cut;
    }
    out.push(text.slice(from, end));
    if (end >= text.length) break;
    start = text[end] === '\r' && text[end + 1] === '\n' ? end + 2 : end + 1;
  }
  return out;
}
