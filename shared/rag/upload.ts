import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { BadRequestError, ValidationError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { documentText, ingestDocument, type IngestResult } from './ingest.js';
import type { ChunkVectors } from './chunk-vectors.js';
import type { Embedder } from './ports.js';

/**
 * A document that arrives in pieces (DocumentService.Upload): each piece goes on into a staged
 * block of a block blob as it arrives, so the server holds one block (1 MiB) at most whatever
 * the document's size; the blob is committed only when the stream ends whole. A stream cut off
 * midway leaves uncommitted blocks only, which no reader sees and Blob Storage discards after
 * 7 days: nothing is stored. Once committed, a document within ARBOR_RAG_MAX_DOCUMENT_BYTES is
 * chunked, embedded and indexed as one POSTed is; a larger one is kept, not indexed.
 */
export const uploadsContainer = 'rag-uploads';
/** The most one upload may send: a bound on what one caller may make the app store. */
export const maxUploadBytes = 1024 * 1024 * 1024;
const blockBytes = 1024 * 1024;

export interface UploadMetadata {
  id?: string | undefined;
  title?: string | undefined;
  format: 'markdown' | 'text' | 'html';
  metadata?: Record<string, string | number | boolean> | undefined;
  collection?: string | undefined;
}

export type UploadResult = (IngestResult | { status: 'stored'; id: string; collection: string; chunks: 0 }) & { bytes: number; blob: { container: string; name: string } };

export async function uploadDocument(
  services: Services,
  models: { embedder: Embedder; vectors: ChunkVectors },
  metadata: UploadMetadata,
  pieces: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
): Promise<UploadResult> {
  await services.ensureContainer(uploadsContainer);
  const collection = metadata.collection ?? services.settings.ARBOR_RAG_COLLECTION;
  const name = `${collection}/${randomUUID()}${{ markdown: '.md', text: '.txt', html: '.html' }[metadata.format]}`;
  const blob = services.blob.getContainerClient(uploadsContainer).getBlockBlobClient(name);
  const hash = createHash('sha256');
  const blockIds: string[] = [];
  let pending: Uint8Array[] = [];
  let pendingBytes = 0;
  let total = 0;
  const stage = async () => {
    if (!pendingBytes) return;
    const id = Buffer.from(String(blockIds.length).padStart(8, '0')).toString('base64');
    // The pieces go out as they are, as a stream: no copy of the block is made to send it.
    const pieces = pending;
    await blob.stageBlock(id, () => Readable.from(pieces), pendingBytes, { abortSignal: signal });
    blockIds.push(id);
    pending = [];
    pendingBytes = 0;
  };
  for await (const piece of pieces) {
    signal.throwIfAborted();
    total += piece.byteLength;
    if (total > maxUploadBytes) throw new BadRequestError('document_too_large', `the upload passed ${maxUploadBytes} bytes`, [{ field: 'data', problem: `passes the ${maxUploadBytes}-byte upload limit` }]);
    hash.update(piece);
    pending.push(piece);
    pendingBytes += piece.byteLength;
    if (pendingBytes >= blockBytes) await stage();
  }
  if (total === 0) throw new ValidationError([{ field: 'data', problem: 'no bytes followed the metadata' }]);
  await stage();
  signal.throwIfAborted();
  await blob.commitBlockList(blockIds, { blobHTTPHeaders: { blobContentType: metadata.format === 'html' ? 'text/html' : 'text/plain; charset=utf-8' }, abortSignal: signal });
  const id = metadata.id ?? `doc-${hash.digest('hex').slice(0, 16)}`;
  const where = { container: uploadsContainer, name };
  if (total > services.settings.ARBOR_RAG_MAX_DOCUMENT_BYTES) return { status: 'stored', id, collection, chunks: 0, bytes: total, blob: where };
  try {
    const { text } = await documentText(await blob.downloadToBuffer(0, total, { abortSignal: signal }), metadata.format);
    const result = await ingestDocument(
      services,
      models.embedder,
      models.vectors,
      { collection, id, title: metadata.title, text, format: metadata.format, metadata: metadata.metadata ?? {}, source: { kind: 'blob', ...where } },
      new Date(),
    );
    return { ...result, bytes: total, blob: where };
  } catch (error) {
    await blob.deleteIfExists();
    throw error;
  }
}
