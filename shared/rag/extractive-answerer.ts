import { markdownBlocks } from './markdown.js';
import { noAnswer, type Answerer, type Source } from './ports.js';
import { sentences } from './sentences.js';
import { terms } from './text.js';

interface Candidate {
  source: Source;
  position: number;
  sentence: string;
  terms: Set<string>;
  /** The source's title and heading path: words every sentence of the source shares. */
  context: Set<string>;
}

/** Ends like a sentence: . ! ? or : with closing quotes or brackets after it allowed. */
const sentenceEnd = /[.!?:]["'”’)\]]{0,3}$/u;

/**
 * Whole sentences of a chunk's prose (paragraphs, list items, definitions). Code, table rows,
 * and prose that does not end like a sentence (a label, a link title, a signature, a run of
 * words cut from a sentence longer than a chunk) are not answers.
 */
function proseSentences(text: string): string[] {
  return markdownBlocks(text).flatMap((block) => (block.kind === 'prose' ? sentences(block.text).filter((s) => sentenceEnd.test(s)) : []));
}

/**
 * An answerer without a model. Every whole sentence of the sources' prose is scored against
 * the question: the question's terms it holds, each weighted by how rare it is among the
 * candidate sentences, plus half weight for terms only in its source's title or heading (a
 * sentence under "hashlib > SHA-256" is about SHA-256 without naming it), divided by the root
 * of its length (long sentences match by chance), with a small bonus for better-ranked
 * sources. The answer is the best sentence and up to two more that score at least half as
 * well, in reading order, each followed by the number of its source. If no sentence holds
 * enough of the question's weight, the answer is the no-answer sentence and cites nothing.
 */
export class ExtractiveAnswerer implements Answerer {
  readonly name = 'local-extractive';

  constructor(
    private readonly maxSentences = 3,
    /** Share of the question's (IDF-weighted) terms the best sentence and its context must hold. */
    private readonly minCoverage = 0.25,
  ) {}

  async *answer(question: string, sources: readonly Source[]): AsyncIterable<string> {
    const asked = [...new Set(terms(question))];
    const candidates: Candidate[] = sources.flatMap((source) => {
      const context = new Set(terms(`${source.title} ${source.heading ?? ''}`));
      return proseSentences(source.text).map((sentence, position) => ({ source, position, sentence, terms: new Set(terms(sentence)), context }));
    });
    // A term found in few sentences says more about where the answer is.
    const frequency = new Map<string, number>();
    for (const c of candidates) for (const t of asked) if (c.terms.has(t) || c.context.has(t)) frequency.set(t, (frequency.get(t) ?? 0) + 1);
    const weight = (t: string) => Math.log(1 + candidates.length / (frequency.get(t) ?? 1));
    const totalWeight = asked.reduce((sum, t) => sum + weight(t), 0);
    const ranks = sources.length || 1;
    const scored = candidates
      .map((c) => {
        let inSentence = 0;
        let covered = 0;
        for (const t of asked) {
          if (c.terms.has(t)) {
            inSentence += weight(t);
            covered += weight(t);
          } else if (c.context.has(t)) covered += weight(t) / 2;
        }
        const rankBonus = 1 + (0.2 * (ranks - (c.source.n - 1))) / ranks;
        const score = inSentence > 0 ? (covered / Math.sqrt(Math.max(8, c.terms.size))) * rankBonus : 0;
        return { ...c, score, coverage: totalWeight > 0 ? covered / totalWeight : 0 };
      })
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score || a.source.n - b.source.n || a.position - b.position);
    const best = scored[0];
    if (!best || best.coverage < this.minCoverage) {
      yield noAnswer;
      return;
    }
    const chosen = scored.filter((c) => c.score >= best.score * 0.5).slice(0, this.maxSentences);
    // Read in source order, as the sources tell it.
    chosen.sort((a, b) => a.source.n - b.source.n || a.position - b.position);
    for (const [i, c] of chosen.entries()) yield `${i ? ' ' : ''}${c.sentence} [${c.source.n}]`;
  }
}
