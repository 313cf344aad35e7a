import type { ServiceImpl } from '@connectrpc/connect';
import { ValidationError } from '../platform/errors.js';
import { DocumentService, type UploadRequest } from '../platform/generated/arbor/rag/v1/document_service_pb.js';
import { clientStreamRpc, given, serverStreamRpc, validBody } from '../platform/rpc.js';
import { getServices } from '../platform/services.js';
import type { Citation } from './ask.js';
import { askAsConfigured } from './ask-served.js';
import { ragModels } from './models.js';
import { askRequestSchema, uploadMetadataSchema } from './requests.js';
import { uploadDocument } from './upload.js';
import { vectorSearchChunks } from './vector-search-chunks.js';

/**
 * DocumentService (proto/arbor/rag/v1): Upload takes a document in pieces (upload.ts) and Ask
 * streams the answer as the answerer produces it, over the core POST /api/rag/documents and
 * /api/rag/ask use. A client that goes away stops the work: the stream's signal is checked
 * between pieces, and an abandoned upload is never committed.
 */
const citationOf = (citation: Citation) => ({
  n: citation.n,
  documentId: citation.documentId,
  title: citation.title,
  chunk: { index: citation.chunk.index, text: citation.chunk.text, heading: citation.chunk.heading ?? '' },
  score: citation.score,
});

async function* dataOf(rest: AsyncIterator<UploadRequest>): AsyncIterable<Uint8Array> {
  for (let next = await rest.next(); !next.done; next = await rest.next()) {
    if (next.value.part.case !== 'data') throw new ValidationError([{ field: 'metadata', problem: 'only the first message carries the metadata; the rest carry data' }]);
    yield next.value.part.value;
  }
}

export const documentServiceImpl: ServiceImpl<typeof DocumentService> = {
  upload: clientStreamRpc(async (requests, context) => {
    const iterator = requests[Symbol.asyncIterator]();
    const first = await iterator.next();
    if (first.done || first.value.part.case !== 'metadata') throw new ValidationError([{ field: 'metadata', problem: 'the first message must carry the metadata' }]);
    const head = first.value.part.value;
    const metadata = validBody(uploadMetadataSchema, {
      ...(head.id ? { id: head.id } : {}),
      ...(head.title ? { title: head.title } : {}),
      ...(head.format ? { format: head.format } : {}),
      ...(head.metadata ? { metadata: head.metadata } : {}),
      ...(head.collection ? { collection: head.collection } : {}),
    });
    const services = getServices();
    const { embedder } = ragModels(services.settings);
    const result = await uploadDocument(services, { embedder, vectors: vectorSearchChunks(services) }, metadata, dataOf(iterator), context.signal);
    return { status: result.status, id: result.id, collection: result.collection, chunks: result.chunks, bytes: BigInt(result.bytes) };
  }),

  ask: serverStreamRpc(async function* (request, context) {
    const body = validBody(askRequestSchema, {
      question: request.question,
      ...(given(request.k) ? { k: request.k } : {}),
      ...(request.collection ? { collection: request.collection } : {}),
      ...(request.filter ? { filter: request.filter } : {}),
      ...(request.retrieval ? { retrieval: request.retrieval } : {}),
    });
    const answer = await askAsConfigured(getServices(), body);
    yield { event: { case: 'sources' as const, value: { sources: answer.sources.map(citationOf), support: answer.support } } };
    let text = '';
    for await (const piece of answer.pieces) {
      context.signal.throwIfAborted();
      text += piece;
      yield { event: { case: 'delta' as const, value: piece } };
    }
    yield { event: { case: 'done' as const, value: { answer: text, citations: answer.citations.map(citationOf) } } };
  }),
};
