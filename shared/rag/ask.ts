import { BadRequestError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { readPayloads } from './chunk-payloads.js';
import type { ChunkVectors } from './chunk-vectors.js';
import { citedNumbers } from './citations.js';
import { diversified } from './diversify.js';
import { fuse, fusionCandidatesPerSource, type ScoredHit } from './fusion.js';
import { searchKeywords, termStatistics } from './keyword-index.js';
import { noAnswer, type Answerer, type Embedder } from './ports.js';
import { ragAnswers, ragAskDuration } from './metrics.js';
import { minSupport, support } from './support.js';
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
  /** The number the answer cites it by: `[n]`. */
  n: number;
  documentId: string;
  title: string;
  chunk: { index: number; text: string; heading?: string };
  /** Cosine (vector), BM25 (keyword), or the fused score: higher is better, within one answer. */
  score: number;
}

export interface Retrieved {
  /** Numbered in rank order, best first. */
  sources: Citation[];
  /** How well the best source supports an answer (support.ts), in [0, 1]. */
  support: number;
  /** Why the answer is the no-answer sentence, when it is. */
  unsupported?: string;
}

/**
 * Retrieval: the question's embedding against the collection (vector search), its terms
 * against the BM25 index (keyword search), each asked for 4k candidates, fused (fusion.ts).
 * A filter narrows the vector search; keyword hits then count only where the filtered vector
 * search found them too (the keyword index holds no metadata). Fusion reads all 4k of each
 * list and ranks documents by the sum over their chunks; the best k are kept, one chunk per
 * document (diversify.ts). Then the no-answer decision,
 * the same in every mode: the retrieved chunks' support for the question (support.ts).
 */
export async function retrieve(services: Services, embedder: Embedder, vectors: ChunkVectors, request: AskRequest): Promise<Retrieved> {
  if (!(await vectors.exists(request.collection))) {
    throw new BadRequestError('unknown_collection', `collection "${request.collection}" does not exist`, [{ field: 'collection', problem: 'does not exist (ingest a document into it first)' }]);
  }
  const stop = ragAskDuration.startTimer({ collection: request.collection, retrieval: request.retrieval });
  const wide = request.k * 4;
  const questionTerms = [...new Set(terms(request.question))];
  const [vectorHits, keywordHits, statistics] = await Promise.all([
    request.retrieval === 'keyword' ? [] : embedder.embed([request.question]).then(([q]) => vectors.query(request.collection, q as Float32Array, wide, request.filter)),
    request.retrieval === 'vector' ? [] : searchKeywords(services.redis, request.collection, request.question, request.filter ? wide * 4 : wide),
    termStatistics(services.redis, request.collection, questionTerms),
  ]);
  const allowed = request.filter ? new Set(vectorHits.map((h) => h.id)) : undefined;
  const keywordKept = keywordHits.filter((hit) => !allowed || allowed.has(hit.id)).slice(0, wide);
  const fusedDepth = request.k * fusionCandidatesPerSource;
  const ranked: ScoredHit[] =
    request.retrieval === 'vector' ? vectorHits : request.retrieval === 'keyword' ? keywordKept : fuse(vectorHits.slice(0, fusedDepth), keywordKept.slice(0, fusedDepth));
  const top = diversified(ranked, request.k);
  const payloads = await readPayloads(services.redis, request.collection, top.map((hit) => hit.id));
  const sources = top.flatMap(({ id, score }) => {
    const payload = payloads.get(id);
    return payload ? [{ documentId: payload.documentId, title: payload.title, chunk: { index: payload.index, text: payload.text, ...(payload.heading ? { heading: payload.heading } : {}) }, score }] : [];
  });
  const numbered = sources.map((source, i) => ({ n: i + 1, ...source }));
  stop();
  if (!numbered.length) return { sources: [], support: 0, unsupported: 'nothing was retrieved' };
  const supported = support(statistics, questionTerms, numbered.map((c) => `${c.title}\n${c.chunk.heading ?? ''}\n${c.chunk.text}`));
  if (supported < minSupport) return { sources: [], support: supported, unsupported: `the retrieved chunks hold ${(supported * 100).toFixed(0)}% of the question's weight, under ${minSupport * 100}%` };
  return { sources: numbered, support: supported };
}

export interface Answer {
  /** What the answerer read: the retrieved chunks, numbered; none when retrieval found no support. */
  sources: Citation[];
  /** How well the retrieved chunks support an answer, in [0, 1] (support.ts); under `minSupport` the answer is the no-answer sentence. */
  support: number;
  /** The answer as it is produced. */
  pieces: AsyncIterable<string>;
  /**
   * The sources the answer cites, by the numbers it uses; none when it is the no-answer
   * sentence. Complete once `pieces` is consumed.
   */
  readonly citations: Citation[];
}

export async function ask(services: Services, embedder: Embedder, answerer: Answerer, vectors: ChunkVectors, request: AskRequest): Promise<Answer> {
  const retrieved = await retrieve(services, embedder, vectors, request);
  if (retrieved.unsupported) {
    ragAnswers.inc({ collection: request.collection, outcome: 'no_answer' });
    return { sources: [], support: retrieved.support, citations: [], pieces: once(noAnswer) };
  }
  const sources = retrieved.sources;
  const cited: Citation[] = [];
  async function* pieces(): AsyncIterable<string> {
    let text = '';
    for await (const piece of answerer.answer(
      request.question,
      sources.map((c) => ({ n: c.n, title: c.title, text: c.chunk.text, ...(c.chunk.heading ? { heading: c.chunk.heading } : {}) })),
    )) {
      text += piece;
      yield piece;
    }
    const refused = text.trim() === noAnswer;
    ragAnswers.inc({ collection: request.collection, outcome: refused ? 'no_answer' : 'answered' });
    if (!refused) {
      const numbers = citedNumbers(text);
      cited.push(...sources.filter((c) => numbers.has(c.n)));
    }
  }
  return {
    sources,
    support: retrieved.support,
    pieces: pieces(),
    get citations() {
      return cited;
    },
  };
}

async function* once(text: string): AsyncIterable<string> {
  yield text;
}
