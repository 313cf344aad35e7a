import { Counter, Histogram } from 'prom-client';
import { latencyBuckets, metricsRegistry } from '../platform/metrics.js';

export const ragAskDuration = new Histogram({
  name: 'arbor_rag_retrieval_seconds',
  help: 'Retrieval of one question: embedding, vector and keyword search, fusion',
  labelNames: ['collection', 'retrieval'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const ragAnswers = new Counter({
  name: 'arbor_rag_answers_total',
  help: 'Questions asked, by collection and outcome (answered, no_answer)',
  labelNames: ['collection', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const ragDocuments = new Counter({
  name: 'arbor_rag_documents_total',
  help: 'Documents ingested, by collection and status (created, replaced, unchanged, deleted)',
  labelNames: ['collection', 'status'] as const,
  registers: [metricsRegistry],
});

export const ragChunks = new Counter({
  name: 'arbor_rag_chunks_embedded_total',
  help: 'Chunks embedded and indexed, by collection and embedder',
  labelNames: ['collection', 'embedder'] as const,
  registers: [metricsRegistry],
});
