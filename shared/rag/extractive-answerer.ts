import { noAnswer, type Answerer, type Source } from './ports.js';
import { sentences } from './sentences.js';
import { terms } from './text.js';

/**
 * An answerer without a model: it scores every sentence of the sources by the question's
 * content terms it contains (rarer terms count more), and composes the answer from the best
 * few, each followed by the number of its source. A question none of whose terms appear in any
 * source gets the no-answer sentence, not a guess.
 */
export class ExtractiveAnswerer implements Answerer {
  readonly name = 'local-extractive';

  constructor(private readonly maxSentences = 3) {}

  async *answer(question: string, sources: readonly Source[]): AsyncIterable<string> {
    const asked = new Set(terms(question));
    const candidates = sources.flatMap((source) => sentences(source.text).map((sentence, position) => ({ source, sentence, position, terms: new Set(terms(sentence)) })));
    // A term found in few sentences says more about where the answer is.
    const frequency = new Map<string, number>();
    for (const c of candidates) for (const t of c.terms) if (asked.has(t)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
    const scored = candidates
      .map((c) => {
        let score = 0;
        for (const t of asked) if (c.terms.has(t)) score += Math.log(1 + candidates.length / (frequency.get(t) ?? 1));
        // Long sentences match more by chance; short fragments say little.
        return { ...c, score: score / Math.sqrt(Math.max(6, c.terms.size)) };
      })
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score || a.source.n - b.source.n || a.position - b.position);
    const best = scored[0];
    const coverage = best ? [...asked].filter((t) => best.terms.has(t)).length / Math.max(1, asked.size) : 0;
    if (!best || coverage < 0.34) {
      yield noAnswer;
      return;
    }
    const chosen = scored.filter((c) => c.score >= best.score * 0.5).slice(0, this.maxSentences);
    // Read in source order, as the sources tell it.
    chosen.sort((a, b) => a.source.n - b.source.n || a.position - b.position);
    for (const [i, c] of chosen.entries()) yield `${i ? ' ' : ''}${c.sentence} [${c.source.n}]`;
  }
}
