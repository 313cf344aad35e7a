import { BadRequestError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { readPayloads } from './chunk-payloads.js';
import type { ChunkVectors } from './chunk-vectors.js';
import { searchKeywords } from './keyword-index.js';
import { noAnswer, type Answerer, type Embedder } from './ports.js';
import { ragAnswers, ragAskDuration } from './metrics.js';
import { terms } from './text.js';

export type Retrieval = 'fused' | 'vector' | 'keyword';

export interface AskRequest {
  question: string;
  k: number;
  collection: string;
  filter?: Record<string, unknown> | undefined;
  retrieval: Retrieval;
}

export interface Citation {
  documentId: string;
  title: string;
  chunk: { index: number; text: string; heading?: string };
  score: number;
}

export interface Retrieved {
  citations: Citation[];
  /** Why the answer is the no-answer sentence, when it is. */
  unsupported?: string;
}

/** Reciprocal rank fusion's constant (Cormack et al. 2009): ranks matter, raw scores do not. */
const rrfK = 60;
/** Below this cosine, a vector hit that shares no word with the question is not support. */
const minSimilarity = 0.2;

/**
 * Retrieval: the question's embedding against the collection (vector search), its terms
 * against the BM25 index (keyword search), each asked for 4k candidates, fused by reciprocal
 * rank. A filter narrows the vector search; keyword hits then count only where the filtered
 * vector search found them too (the keyword index holds no metadata).
 */
export async function retrieve(services: Services, embedder: Embedder, vectors: ChunkVectors, request: AskRequest): Promise<Retrieved> {
  if (!(await vectors.exists(request.collection))) {
    throw new BadRequestError('unknown_collection', `collection "${request.collection}" does not exist`, [{ field: 'collection', problem: 'does not exist (ingest a document into it first)' }]);
  }
  const stop = ragAskDuration.startTimer({ collection: request.collection, retrieval: request.retrieval });
  const wide = request.k * 4;
  const [vectorHits, keywordHits] = await Promise.all([
    request.retrieval === 'keyword' ? [] : embedder.embed([request.question]).then(([q]) => vectors.query(request.collection, q as Float32Array, wide, request.filter)),
    request.retrieval === 'vector' ? [] : searchKeywords(services.redis, request.collection, request.question, request.filter ? wide * 4 : wide),
  ]);
  const fused = new Map<string, number>();
  vectorHits.forEach((hit, rank) => fused.set(hit.id, (fused.get(hit.id) ?? 0) + 1 / (rrfK + rank + 1)));
  const allowed = request.filter ? new Set(vectorHits.map((h) => h.id)) : undefined;
  keywordHits
    .filter((hit) => !allowed || allowed.has(hit.id))
    .forEach((hit, rank) => fused.set(hit.id, (fused.get(hit.id) ?? 0) + 1 / (rrfK + rank + 1)));
  const ranked = [...fused].sort((a, b) => b[1] - a[1]).slice(0, request.k);
  const payloads = await readPayloads(services.redis, request.collection, ranked.map(([id]) => id));
  const citations = ranked.flatMap(([id, score]) => {
    const payload = payloads.get(id);
    return payload
      ? [{ documentId: payload.documentId, title: payload.title, chunk: { index: payload.index, text: payload.text, ...(payload.heading ? { heading: payload.heading } : {}) }, score }]
      : [];
  });
  stop();
  const bestSimilarity = vectorHits[0]?.score ?? 0;
  const asked = new Set(terms(request.question));
  const shared = citations.some((c) => terms(`${c.title} ${c.chunk.heading ?? ''} ${c.chunk.text}`).some((t) => asked.has(t)));
  if (!citations.length) return { citations, unsupported: 'nothing was retrieved' };
  if (!shared && bestSimilarity < minSimilarity) return { citations: [], unsupported: 'no retrieved chunk shares a word with the question' };
  return { citations };
}

export interface Answer {
  citations: Citation[];
  /** The answer as it is produced. */
  pieces: AsyncIterable<string>;
}

export async function ask(services: Services, embedder: Embedder, answerer: Answerer, vectors: ChunkVectors, request: AskRequest): Promise<Answer> {
  const retrieved = await retrieve(services, embedder, vectors, request);
  ragAnswers.inc({ collection: request.collection, outcome: retrieved.unsupported ? 'no_answer' : 'answered' });
  if (retrieved.unsupported) return { citations: [], pieces: once(noAnswer) };
  const sources = retrieved.citations.map((c, i) => ({ n: i + 1, title: c.title, text: c.chunk.text }));
  return { citations: retrieved.citations, pieces: answerer.answer(request.question, sources) };
}

async function* once(text: string): AsyncIterable<string> {
  yield text;
}
