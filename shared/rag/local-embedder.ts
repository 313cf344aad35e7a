import type { Embedder } from './ports.js';
import { isStopWord, terms, words } from './text.js';

/**
 * A deterministic embedder that needs no model: feature hashing of content words (stemmed),
 * word bigrams, and character 4-grams of each content word as written (so "materialize" and
 * "materialization" share most features; taken before stemming, which would cut the endings
 * the 4-grams match on), each weighted by sublinear term frequency, signed by a second hash bit to
 * cancel collisions on average, and L2-normalised so cosine is a dot product. Its retrieval
 * quality is measured by `npm run rag:eval` (docs/rag.md).
 */
export class HashedEmbedder implements Embedder {
  readonly name = 'local-hashed';

  constructor(readonly dimension = 1024) {}

  async embed(texts: readonly string[]): Promise<Float32Array[]> {
    return texts.map((text) => this.#embedOne(text));
  }

  #embedOne(text: string): Float32Array {
    const counts = new Map<string, number>();
    const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
    const stems = terms(text);
    stems.forEach((stem, i) => {
      add(`w:${stem}`, 1);
      if (i > 0) add(`b:${stems[i - 1]} ${stem}`, 0.5);
    });
    for (const word of words(text)) {
      if (isStopWord(word)) continue;
      const padded = `#${word}#`;
      for (let j = 0; j + 4 <= padded.length; j++) add(`c:${padded.slice(j, j + 4)}`, 0.25);
    }
    const vector = new Float32Array(this.dimension);
    for (const [feature, count] of counts) {
      const hash = fnv1a(feature);
      const sign = hash & 0x80000000 ? -1 : 1;
      vector[hash % this.dimension] = (vector[hash % this.dimension] as number) + sign * (1 + Math.log(1 + count));
    }
    let norm = 0;
    for (const v of vector) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] as number) / norm;
    return vector;
  }
}

/** FNV-1a, 32-bit: fast, stable across runs and machines. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
