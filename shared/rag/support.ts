import type { TermStatistics } from './keyword-index.js';
import { terms } from './text.js';

/**
 * How well the retrieved chunks support an answer, in [0, 1], the same way whichever list
 * found them: the largest share of the question's information that one chunk (with its title
 * and heading) holds, each question term weighted by its inverse document frequency in the
 * collection, and a term the collection never uses weighing three times its IDF: a question
 * about something the documents do not mention ("MongoDB", "Kubernetes") scores low even when
 * its other words ("store", "documents", "collection") are everywhere, while a paraphrase that
 * misses one ordinary word keeps most of its weight. Calibrated on the evaluation (docs/rag.md,
 * "No answer").
 */
export const minSupport = 0.3;
/** A word the collection never uses weighs this many times its IDF: the documents cannot be about it. */
export const absentTermWeight = 3;

export function inverseDocumentFrequency(chunks: number, df: number): number {
  return Math.log(1 + (chunks - df + 0.5) / (df + 0.5));
}

export function support(statistics: TermStatistics, questionTerms: readonly string[], retrieved: readonly string[], absentWeight = absentTermWeight): number {
  if (!questionTerms.length || !retrieved.length) return 0;
  const weights = questionTerms.map((_, i) => {
    const df = statistics.documentFrequency[i] ?? 0;
    return inverseDocumentFrequency(statistics.chunks, df) * (df === 0 ? absentWeight : 1);
  });
  const total = weights.reduce((sum, w) => sum + w, 0);
  if (!(total > 0)) return 0;
  let best = 0;
  for (const text of retrieved) {
    const held = new Set(terms(text));
    let share = 0;
    questionTerms.forEach((t, i) => {
      if (held.has(t)) share += weights[i] as number;
    });
    best = Math.max(best, share / total);
  }
  return best;
}
