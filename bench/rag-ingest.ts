/**
 * bench/rag-ingest: the CPU side of ingesting the Python 3.11 manual (tools/rag-eval's corpus,
 * Debian's python3.11-doc): HTML extraction, chunking and embedding, per page, in this process,
 * with the hashed embedder (the baseline) and the sentence encoder (Universal Sentence Encoder
 * lite) in the same run. The stores' writes are left out: they are the same whichever embedder
 * runs, and `npm run rag:eval` times the whole path through a host.
 * BENCH_RAG_PAGES (default 40) pages, an even spread of the manual, for both embedders; the
 * hashed embedder also runs over every page.
 */
import { pythonDocsCorpus } from '../tools/rag-eval/python-docs.js';
import type { CorpusDocument } from '../tools/rag-eval/run.js';
import { chunkBlocks, defaultChunkOptions } from '../shared/rag/chunker.js';
import { htmlToBlocks } from '../shared/rag/html.js';
import { HashedEmbedder } from '../shared/rag/local-embedder.js';
import type { Embedder } from '../shared/rag/ports.js';
import { SentenceEncoderEmbedder } from '../shared/rag/sentence-encoder.js';

interface Timing {
  pages: number;
  chunks: number;
  extractMs: number;
  chunkMs: number;
  embedMs: number;
}

async function ingestCpu(pages: readonly CorpusDocument[], embedder: Embedder): Promise<Timing> {
  const timing: Timing = { pages: pages.length, chunks: 0, extractMs: 0, chunkMs: 0, embedMs: 0 };
  for (const page of pages) {
    let started = performance.now();
    const { blocks, title } = htmlToBlocks(page.text);
    timing.extractMs += performance.now() - started;
    started = performance.now();
    const chunks = chunkBlocks(blocks, defaultChunkOptions);
    timing.chunkMs += performance.now() - started;
    timing.chunks += chunks.length;
    // As ingest.ts embeds them: title, heading path and text.
    started = performance.now();
    await embedder.embed(chunks.map((c) => [title ?? page.id, c.heading, c.text].filter(Boolean).join('\n')));
    timing.embedMs += performance.now() - started;
  }
  return timing;
}

function row(name: string, t: Timing, baseline?: Timing): string {
  const perPage = (t.extractMs + t.chunkMs + t.embedMs) / t.pages;
  const ratio = baseline ? ` | ${(perPage / ((baseline.extractMs + baseline.chunkMs + baseline.embedMs) / baseline.pages)).toFixed(1)}x` : ' | 1.0x';
  return `| ${name} | ${t.pages} | ${t.chunks} | ${(t.extractMs / t.pages).toFixed(1)} ms | ${(t.chunkMs / t.pages).toFixed(1)} ms | ${(t.embedMs / t.pages).toFixed(1)} ms | ${(t.embedMs / t.chunks).toFixed(2)} ms | ${(perPage / 1000).toFixed(3)} s${ratio} |`;
}

async function main(): Promise<void> {
  const corpus = await pythonDocsCorpus();
  const wanted = Number(process.env.BENCH_RAG_PAGES ?? 40);
  const step = corpus.length / Math.min(wanted, corpus.length);
  const sample = Array.from({ length: Math.min(wanted, corpus.length) }, (_, i) => corpus[Math.floor(i * step)] as CorpusDocument);
  const hashed = new HashedEmbedder(1024);
  const encoder = new SentenceEncoderEmbedder();
  await encoder.embed(['warm-up: loads the model']);
  await ingestCpu(sample.slice(0, 3), hashed);
  const all = await ingestCpu(corpus, hashed);
  const hashedSample = await ingestCpu(sample, hashed);
  const encoderSample = await ingestCpu(sample, encoder);
  console.log('| embedder | pages | chunks | extract per page | chunk per page | embed per page | embed per chunk | total per page | vs hashed |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(row('hashed n-grams (local), whole manual', all));
  console.log(row('hashed n-grams (local), sample', hashedSample));
  console.log(row('sentence encoder (USE lite), sample', encoderSample, hashedSample));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
