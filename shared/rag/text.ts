import { porter2 } from './stemmer.js';

/**
 * Words as retrieval sees them: lower case, letters and digits (any script), English stop words
 * dropped, and stemmed (Porter2) so "pipelines" meets "pipeline". Used by the local embedder,
 * the keyword index and the extractive answerer alike, so all three agree on what a term is.
 */
const stopWords = new Set(
  `a about above after again against all am an and any are as at be because been before being below between both but by can
  could did do does doing down during each few for from further had has have having he her here hers him his how i if in into
  is it its itself just me more most my no nor not now of off on once only or other our out over own same she should so some
  such than that the their them then there these they this those through to too under until up very was we were what when
  where which while who whom why will with would you your yours`.split(/\s+/),
);

/** Porter2 (stemmer.ts): "pipelines", "pipelined" and "pipelining" meet at "pipelin". */
export const stem = porter2;

/**
 * Runs of letters and digits; an apostrophe's suffix ("don't", "Arbor's") is dropped. One
 * quantifier over one class and an optional tail over a disjoint one: linear on any input.
 */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+(?:['’]\p{L}+)?/gu) ?? []).map((w) => {
    const apostrophe = w.search(/['’]/);
    return apostrophe < 0 ? w : w.slice(0, apostrophe);
  });
}

/** A word that carries no content: an English stop word, or a single letter. */
export function isStopWord(word: string): boolean {
  return stopWords.has(word) || (word.length === 1 && !/\d/.test(word));
}

/** Content terms: words without stop words, stemmed. */
export function terms(text: string): string[] {
  return words(text)
    .filter((w) => !isStopWord(w))
    .map(stem);
}
