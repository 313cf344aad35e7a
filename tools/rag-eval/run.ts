import { Redis } from 'ioredis';
import { noAnswer, type Embedder } from '../../shared/rag/ports.js';
import type { BenchHost } from '../../bench/support/host.js';
import { claims } from '../../shared/rag/citations.js';
import { chunkId } from '../../shared/rag/chunk-id.js';
import { readPayloads } from '../../shared/rag/chunk-payloads.js';
import { searchKeywords, termStatistics, type TermStatistics } from '../../shared/rag/keyword-index.js';
import { terms } from '../../shared/rag/text.js';
import { HashedEmbedder } from '../../shared/rag/local-embedder.js';
import { SentenceEncoderEmbedder } from '../../shared/rag/sentence-encoder.js';
import { isWholeSentence } from './whole-sentence.js';

export const modes = ['vector', 'keyword', 'fused'] as const;
export type Mode = (typeof modes)[number];

export interface CorpusDocument {
  id: string;
  text: string;
  format: 'markdown' | 'html' | 'text';
}

export interface Question {
  question: string;
  /** Document ids that answer it; [] for a question nothing in the corpus answers. */
  expected: string[];
}

interface CitedChunk {
  /** The number the answer cites it by; before citations carried it, their position. */
  n?: number;
  documentId: string;
  chunk: { index: number; text: string };
  score: number;
}

export interface ModeScores {
  hit1: number;
  hit3: number;
  hit5: number;
  reciprocal: number;
  answerableRefused: number;
  unanswerableRefusedClean: number;
  pieces: number;
  wholePieces: number;
}

export interface EvalReport {
  documents: number;
  chunks: number;
  ingestSeconds: number;
  answerable: number;
  unanswerable: number;
  scores: Record<Mode, ModeScores>;
  /** Per question and mode, for reading failures: the rank of the first gold document (0 = missed). */
  details: Array<{ question: string; expected: string[]; mode: Mode; rank: number; refused: boolean; support?: number; documents: string[]; answer: string }>;
  /**
   * With `wide`: each question's 40 best chunks by vector and by keyword search alone, with
   * their raw scores; the first 20 of each are exactly the candidates fused retrieval fuses for
   * k = 5 (for studying fusion and candidate depth offline).
   */
  lists?: Array<{ question: string; expected: string[]; vector: ScoredChunk[]; keyword: ScoredChunk[]; support: SupportInputs }>;
}

const k = 5;

/** What the support decision reads (shared/rag/support.ts), for studying it offline. */
export interface SupportInputs {
  terms: string[];
  statistics: TermStatistics;
  /** Each candidate chunk's text as support reads it (title, heading, text), by chunk id. */
  texts: Record<string, string>;
}

export interface ScoredChunk {
  id: string;
  documentId: string;
  score: number;
}

async function post(url: string, path: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

/**
 * One question in one mode, as server-sent events: the chunks retrieved (the first event,
 * `sources`; named `citations` before the answer listed only the sources it cited), the answer,
 * and the citations the answer carries (the `done` event's, or before that change the first
 * event's, which were all of them).
 */
async function askStreaming(url: string, collection: string, question: string, mode: Mode, count = k): Promise<{ retrieved: CitedChunk[]; answer: string; citations: CitedChunk[]; support?: number }> {
  const response = await post(url, 'rag/ask', { question, k: count, collection, retrieval: mode, stream: true });
  if (response.status !== 200) throw new Error(`rag/ask: ${response.status} ${response.text}`);
  const events = response.text
    .split('\n\n')
    .filter((block) => block.trim())
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((l) => l.startsWith('event: '))?.slice(7) ?? '';
      const data = JSON.parse(lines.find((l) => l.startsWith('data: '))?.slice(6) ?? '{}') as Record<string, unknown>;
      return { event, data };
    });
  const first = events.find((e) => e.event === 'sources' || e.event === 'citations');
  const done = events.find((e) => e.event === 'done');
  const retrieved = ((first?.data.sources ?? first?.data.citations) as CitedChunk[] | undefined) ?? [];
  const citations = ((done?.data.citations ?? first?.data.citations) as CitedChunk[] | undefined) ?? [];
  const support = typeof first?.data.support === 'number' ? first.data.support : undefined;
  return { retrieved, answer: String(done?.data.answer ?? ''), citations, ...(support !== undefined ? { support } : {}) };
}

/** Ingests the corpus into a fresh collection, one document per request, then asks every question in every mode. */
export async function evaluate(host: BenchHost, corpus: readonly CorpusDocument[], questions: readonly Question[], progress: (line: string) => void, wide = false): Promise<EvalReport> {
  const collection = `eval-${Date.now()}`;
  let chunks = 0;
  const started = performance.now();
  for (const [i, document] of corpus.entries()) {
    if (i % 20 === 0) progress(`ingest ${i}/${corpus.length}`);
    const result = await post(host.url, 'rag/documents', { id: document.id, text: document.text, format: document.format, collection });
    if (result.status >= 300) throw new Error(`ingest ${document.id}: ${result.status} ${result.text}`);
    chunks += Number((JSON.parse(result.text) as { chunks: number }).chunks);
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const empty = (): ModeScores => ({ hit1: 0, hit3: 0, hit5: 0, reciprocal: 0, answerableRefused: 0, unanswerableRefusedClean: 0, pieces: 0, wholePieces: 0 });
  const scores = { vector: empty(), keyword: empty(), fused: empty() } satisfies Record<Mode, ModeScores>;
  const details: EvalReport['details'] = [];
  for (const [i, q] of questions.entries()) {
    progress(`ask ${i + 1}/${questions.length}`);
    for (const mode of modes) {
      const score = scores[mode];
      const { retrieved, answer, citations, support } = await askStreaming(host.url, collection, q.question, mode);
      const refused = answer.trim() === noAnswer;
      const documents = [...new Set(retrieved.map((c) => c.documentId))];
      const rank = documents.findIndex((d) => q.expected.includes(d)) + 1;
      details.push({ question: q.question, expected: q.expected, mode, rank, refused, ...(support !== undefined ? { support } : {}), documents, answer });
      if (!q.expected.length) {
        if (refused && citations.length === 0) score.unanswerableRefusedClean++;
        continue;
      }
      if (rank === 1) score.hit1++;
      if (rank >= 1 && rank <= 3) score.hit3++;
      if (rank >= 1) score.hit5++;
      if (rank >= 1) score.reciprocal += 1 / rank;
      if (refused) {
        score.answerableRefused++;
        continue;
      }
      const cited = new Map(citations.map((c, i) => [c.n ?? i + 1, c.chunk.text]));
      for (const claim of claims(answer)) {
        score.pieces++;
        if (claim.cites.some((n) => isWholeSentence(claim.text, cited.get(n) ?? ''))) score.wholePieces++;
      }
    }
  }
  const lists: EvalReport['lists'] = [];
  if (wide) lists.push(...(await candidateLists(host, collection, corpus, questions, progress)));
  // The host's Redis is the shared one: drop the collection so its payloads and keyword index go too.
  const dropped = await fetch(`${host.url}/api/collections/${collection}`, { method: 'DELETE' });
  if (!dropped.ok) progress(`could not drop ${collection}: ${dropped.status}`);
  const answerable = questions.filter((q) => q.expected.length).length;
  return { ...(wide ? { lists } : {}), documents: corpus.length, chunks, ingestSeconds, answerable, unanswerable: questions.length - answerable, scores, details };
}

/** Every expected document, then every k-th other one (in id order) up to `pages` in all. */
export function subset(corpus: readonly CorpusDocument[], questions: readonly Question[], pages: number): CorpusDocument[] {
  const expected = new Set(questions.flatMap((q) => q.expected));
  const gold = corpus.filter((d) => expected.has(d.id));
  const others = corpus.filter((d) => !expected.has(d.id));
  const room = Math.max(0, pages - gold.length);
  const step = others.length / Math.max(1, room);
  const spread = room ? Array.from({ length: Math.min(room, others.length) }, (_, i) => others[Math.floor(i * step)] as CorpusDocument) : [];
  return [...gold, ...spread].sort((a, b) => a.id.localeCompare(b.id));
}

export function formatReport(name: string, report: EvalReport): string {
  const n = report.answerable;
  const lines = [
    `${name}: ${report.documents} documents, ${report.chunks} chunks, ingested in ${report.ingestSeconds.toFixed(1)} s (${((report.ingestSeconds / report.documents) * 1000).toFixed(1)} ms per document); ${n} answerable and ${report.unanswerable} unanswerable questions, k = ${k}`,
    '',
    '| retrieval | hit@1 | hit@3 | hit@5 | MRR | answerable refused | unanswerable refused, no citations | whole-sentence pieces |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const mode of modes) {
    const s = report.scores[mode];
    lines.push(
      `| ${mode} | ${(s.hit1 / n).toFixed(3)} | ${(s.hit3 / n).toFixed(3)} | ${(s.hit5 / n).toFixed(3)} | ${(s.reciprocal / n).toFixed(3)} | ${s.answerableRefused}/${n} | ${s.unanswerableRefusedClean}/${report.unanswerable} | ${s.wholePieces}/${s.pieces} (${s.pieces ? ((100 * s.wholePieces) / s.pieces).toFixed(1) : '-'}%) |`,
    );
  }
  return lines.join('\n');
}

/** The embedder the host uses, built the same way from the same settings (shared/rag/models.ts). */
function hostEmbedder(env: Record<string, string>): Embedder {
  return env.ARBOR_RAG_EMBEDDER === 'sentence-encoder' ? new SentenceEncoderEmbedder() : new HashedEmbedder(Number(env.ARBOR_RAG_DIMENSION ?? 1024));
}

/**
 * The lists fused retrieval starts from for k = 5, before fusion and before the per-document
 * cap, twice as deep as it reads them: the question's 8k = 40 nearest chunks (the question embedded as the host embeds it, the
 * collection queried through the host's vector API) and its 40 best chunks by BM25 (read from
 * the host's Redis keys through the same code).
 */
async function candidateLists(host: BenchHost, collection: string, corpus: readonly CorpusDocument[], questions: readonly Question[], progress: (line: string) => void): Promise<NonNullable<EvalReport['lists']>> {
  const wide = k * 8;
  const embedder = hostEmbedder(host.env);
  const documentOfHash = new Map(corpus.map((d) => [chunkId(d.id, 0).split(':')[0] as string, d.id]));
  const scored = (hits: ReadonlyArray<{ id: string; score: number }>) => hits.map((h) => ({ id: h.id, documentId: documentOfHash.get(h.id.split(':')[0] as string) ?? '', score: h.score }));
  const redis = new Redis(host.env.REDIS_URL as string, { keyPrefix: host.env.REDIS_KEY_PREFIX, lazyConnect: false });
  try {
    const lists: NonNullable<EvalReport['lists']> = [];
    for (const [i, q] of questions.entries()) {
      progress(`lists ${i + 1}/${questions.length}`);
      const [vector] = await embedder.embed([q.question]);
      const query = await post(host.url, `collections/${collection}/query`, { vector: [...(vector as Float32Array)], k: wide });
      if (query.status !== 200) throw new Error(`query: ${query.status} ${query.text}`);
      const vectorHits = (JSON.parse(query.text) as { results: Array<{ id: string; score: number }> }).results;
      const keywordHits = await searchKeywords(redis, collection, q.question, wide);
      const questionTerms = [...new Set(terms(q.question))];
      const payloads = await readPayloads(redis, collection, [...new Set([...vectorHits, ...keywordHits].map((h) => h.id))]);
      const texts = Object.fromEntries([...payloads].map(([id, p]) => [id, `${p.title}\n${p.heading ?? ''}\n${p.text}`]));
      const support = { terms: questionTerms, statistics: await termStatistics(redis, collection, questionTerms), texts };
      lists.push({ question: q.question, expected: q.expected, vector: scored(vectorHits), keyword: scored(keywordHits), support });
    }
    return lists;
  } finally {
    redis.disconnect();
  }
}
