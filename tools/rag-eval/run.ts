import { noAnswer } from '../../shared/rag/ports.js';
import type { BenchHost } from '../../bench/support/host.js';
import { claims } from '../../shared/rag/citations.js';
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
  /** With `wide`: each question's 20 best chunks by vector and by keyword search alone, with their scores (for studying fusion offline). */
  lists?: Array<{ question: string; expected: string[]; vector: ScoredChunk[]; keyword: ScoredChunk[] }>;
}

const k = 5;

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
  if (wide) {
    const scored = (chunks: CitedChunk[]) => chunks.map((c) => ({ id: `${c.documentId}#${c.chunk.index}`, documentId: c.documentId, score: c.score }));
    for (const [i, q] of questions.entries()) {
      progress(`lists ${i + 1}/${questions.length}`);
      const [vector, keyword] = await Promise.all([askStreaming(host.url, collection, q.question, 'vector', 20), askStreaming(host.url, collection, q.question, 'keyword', 20)]);
      lists.push({ question: q.question, expected: q.expected, vector: scored(vector.retrieved), keyword: scored(keyword.retrieved) });
    }
  }
  const answerable = questions.filter((q) => q.expected.length).length;
  return { ...(wide ? { lists } : {}), documents: corpus.length, chunks, ingestSeconds, answerable, unanswerable: questions.length - answerable, scores, details };
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
