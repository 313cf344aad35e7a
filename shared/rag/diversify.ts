import { documentOfChunkId } from './chunk-id.js';
import type { ScoredHit } from './fusion.js';

/**
 * At most this many chunks of one document among the k sources: consecutive chunks of one
 * section overlap and often rank side by side, and a second chunk of the same page says less
 * than the best chunk of another; with one per document, k sources are k documents, which
 * found the right page more often than two per document did on the held-out questions
 * (measured in docs/rag.md, "Fusion").
 */
export const maxChunksPerDocument = 1;

/** The best k hits, at most `perDocument` per document. */
export function diversified(ranked: readonly ScoredHit[], k: number, documentOf: (id: string) => string = documentOfChunkId, perDocument = maxChunksPerDocument): ScoredHit[] {
  const counts = new Map<string, number>();
  const out: ScoredHit[] = [];
  for (const hit of ranked) {
    if (out.length === k) break;
    const document = documentOf(hit.id);
    const count = counts.get(document) ?? 0;
    if (count >= perDocument) continue;
    counts.set(document, count + 1);
    out.push(hit);
  }
  return out;
}
