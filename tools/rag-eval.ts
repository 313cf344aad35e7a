/**
 * npm run rag:eval -- [questions.jsonl]
 *
 * Ingests Arbor's own docs (README.md and docs/*.md) into a fresh collection through a local
 * host, asks every question of the set with vector-only, keyword-only and fused retrieval, and
 * reports hit rate@k (k chunks retrieved; also the first 1 and 3 distinct documents), recall@k
 * and MRR for each, plus how many unanswerable questions got the
 * no-answer sentence. Lines: { "question", "expected": ["docs/features.md", ...] } ([] = no answer).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { runMain, withBenchHost } from '../bench/support/host.js';
import { noAnswer } from '../shared/rag/ports.js';

const k = 5;
const modes = ['vector', 'keyword', 'fused'] as const;

interface Question {
  question: string;
  expected: string[];
}

async function post(url: string, path: string, body: unknown): Promise<Record<string, any>> {
  const response = await fetch(`${url}/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed = (await response.json()) as Record<string, any>;
  if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed)}`);
  return parsed;
}

async function main(): Promise<void> {
  const file = process.argv[2] ?? 'rag-eval/questions.jsonl';
  const questions = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Question);
  const corpus = ['README.md', ...(await readdir('docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const collection = `eval-${Date.now()}`;
  await withBenchHost('.arbor/rag-eval', { ARBOR_RAG_COLLECTION: collection }, async (host) => {
    let chunks = 0;
    for (const path of corpus) {
      const result = await post(host.url, 'rag/documents', { id: path, text: await readFile(path, 'utf8'), format: 'markdown' });
      chunks += Number(result.chunks);
    }
    console.log(`corpus: ${corpus.length} documents, ${chunks} chunks; ${questions.length} questions (${file})`);
    const answerable = questions.filter((q) => q.expected.length);
    const scores = Object.fromEntries(modes.map((mode) => [mode, { hits: 0, hits1: 0, hits3: 0, recall: 0, reciprocal: 0 }]));
    let noAnswerRight = 0;
    for (const [index, q] of questions.entries()) {
      process.stdout.write(`\r  ${index + 1}/${questions.length}`);
      if (!q.expected.length) {
        const answer = await post(host.url, 'rag/ask', { question: q.question, k, collection });
        if (answer.answer === noAnswer) noAnswerRight++;
        continue;
      }
      for (const mode of modes) {
        const answer = await post(host.url, 'rag/ask', { question: q.question, k, collection, retrieval: mode });
        const documents = [...new Set((answer.citations as Array<{ documentId: string }>).map((c) => c.documentId))];
        const found = q.expected.filter((d) => documents.includes(d));
        const first = documents.findIndex((d) => q.expected.includes(d));
        const score = scores[mode] as { hits: number; hits1: number; hits3: number; recall: number; reciprocal: number };
        if (found.length) score.hits++;
        if (first === 0) score.hits1++;
        if (first >= 0 && first < 3) score.hits3++;
        score.recall += found.length / q.expected.length;
        if (first >= 0) score.reciprocal += 1 / (first + 1);
      }
    }
    process.stdout.write('\r'.padEnd(20) + '\r');
    console.log(`\n| retrieval | hit rate@1 (document) | hit rate@3 (document) | hit rate@${k} | recall@${k} | MRR |`);
    console.log('|---|---|---|---|---|---|');
    for (const mode of modes) {
      const s = scores[mode] as { hits: number; hits1: number; hits3: number; recall: number; reciprocal: number };
      const n = answerable.length;
      console.log(`| ${mode} | ${(s.hits1 / n).toFixed(3)} | ${(s.hits3 / n).toFixed(3)} | ${(s.hits / n).toFixed(3)} | ${(s.recall / n).toFixed(3)} | ${(s.reciprocal / n).toFixed(3)} |`);
    }
    const unanswerable = questions.length - answerable.length;
    console.log(`\nunanswerable questions answered "${noAnswer}": ${noAnswerRight}/${unanswerable}`);
    console.log(`${answerable.length} answerable questions, k = ${k}, local embedder and extractive answerer unless configured otherwise, ${new Date().toISOString()}`);
  });
}

runMain(main);
