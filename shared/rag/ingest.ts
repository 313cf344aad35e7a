import { createHash } from 'node:crypto';
import { BadRequestError, NotFoundError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { removePayloads, writePayloads, type ChunkPayload } from './chunk-payloads.js';
import type { ChunkVectors } from './chunk-vectors.js';
import type { Block } from './blocks.js';
import { chunkId } from './chunk-id.js';
import { chunkBlocks, defaultChunkOptions } from './chunker.js';
import { deleteDocumentRecord, readDocument, saveDocument, type DocumentRecord } from './documents.js';
import { htmlToBlocks } from './html.js';
import { indexChunks, removeChunks } from './keyword-index.js';
import { markdownBlocks } from './markdown.js';
import { pdfToText } from './pdf.js';
import { ragChunks, ragDocuments } from './metrics.js';
import type { Embedder } from './ports.js';

export type DocumentFormat = DocumentRecord['format'];

export interface DocumentInput {
  collection: string;
  id: string;
  title?: string | undefined;
  text: string;
  format: DocumentFormat;
  metadata: Record<string, string | number | boolean>;
  source: DocumentRecord['source'];
}

export type IngestResult = { status: 'created' | 'replaced' | 'unchanged'; id: string; collection: string; chunks: number };

/** `.md`, `.txt`, `.html` and friends; anything else is not a document Arbor can read. */
export function formatOfName(name: string): DocumentFormat | undefined {
  const extension = name.toLowerCase().split('.').pop() ?? '';
  if (['md', 'markdown', 'mdx'].includes(extension)) return 'markdown';
  if (['txt', 'text'].includes(extension)) return 'text';
  if (['html', 'htm'].includes(extension)) return 'html';
  if (extension === 'pdf') return 'pdf';
  return undefined;
}

/** A document's text from its bytes: UTF-8, or for a PDF the text pdf.js finds (and its title). */
export async function documentText(bytes: Buffer, format: DocumentFormat): Promise<{ text: string; title?: string }> {
  if (format !== 'pdf') return { text: bytes.toString('utf8') };
  try {
    return await pdfToText(bytes);
  } catch (error) {
    throw new BadRequestError('unreadable_pdf', `the PDF cannot be read: ${error instanceof Error ? error.message : String(error)}`, [{ field: 'blob', problem: 'is not a readable PDF' }]);
  }
}

/**
 * The version of extraction and chunking: part of the content hash, so the same document
 * posted again after they change is chunked again rather than reported `unchanged`.
 * 2: HTML through htmlparser2, soft line breaks joined, sentences by Intl.Segmenter.
 * 3: code pieces leave room for the fence their own backtick runs need.
 */
const extractionVersion = 3;


/**
 * Chunks, embeds (in batches) and indexes a document. Its content hash decides: the same input
 * again does nothing; a changed one replaces every chunk, and chunks the new version no longer
 * has are removed. New chunks are written before stale ones go, so a reader never sees the
 * document missing.
 */
export async function ingestDocument(services: Services, embedder: Embedder, vectors: ChunkVectors, input: DocumentInput, now: Date): Promise<IngestResult> {
  const limit = services.settings.ARBOR_RAG_MAX_DOCUMENT_BYTES;
  const bytes = Buffer.byteLength(input.text);
  if (bytes > limit) throw new BadRequestError('document_too_large', `the document is ${bytes} bytes; the limit is ${limit}`, [{ field: 'text', problem: `is ${bytes} bytes, over the ${limit}-byte limit (ARBOR_RAG_MAX_DOCUMENT_BYTES)` }]);
  const html = input.format === 'html' ? htmlToBlocks(input.text) : undefined;
  // Markdown, plain text and PDF text read alike: blank lines split paragraphs, and a line
  // break inside one is a soft break.
  const blocks = html?.blocks ?? markdownBlocks(input.text);
  const title = input.title ?? html?.title ?? firstHeading(blocks) ?? input.id;
  const contentHash = createHash('sha256').update(JSON.stringify([extractionVersion, input.format, title, input.text, input.metadata, embedder.name, embedder.dimension])).digest('hex');
  const before = await readDocument(services, input.collection, input.id);
  if (before?.contentHash === contentHash) {
    ragDocuments.inc({ collection: input.collection, status: 'unchanged' });
    return { status: 'unchanged', id: input.id, collection: input.collection, chunks: before.chunkIds.length };
  }
  const chunks = chunkBlocks(blocks, defaultChunkOptions);
  if (!chunks.length) throw new BadRequestError('empty_document', 'the document has no text', [{ field: 'text', problem: 'has no text to index' }]);

  await vectors.ensureCollection(input.collection, embedder.dimension);
  // The title and heading are embedded and indexed with the text: they often carry the words a question uses.
  const indexed = chunks.map((c) => [title, c.heading, c.text].filter(Boolean).join('\n'));
  const vectorsOf = await embedder.embed(indexed);
  const ids = chunks.map((c) => chunkId(input.id, c.index));
  await vectors.upsert(
    input.collection,
    chunks.map((c, i) => ({ id: ids[i] as string, vector: vectorsOf[i] as Float32Array, metadata: { ...input.metadata, documentId: input.id, chunk: c.index } })),
  );
  const payloads = new Map<string, ChunkPayload>(chunks.map((c, i) => [ids[i] as string, { documentId: input.id, title, index: c.index, ...(c.heading ? { heading: c.heading } : {}), text: c.text }]));
  await writePayloads(services.redis, input.collection, payloads);
  await removeChunks(services.redis, input.collection, [...new Set([...(before?.chunkIds ?? []), ...ids])]);
  await indexChunks(services.redis, input.collection, chunks.map((_, i) => ({ id: ids[i] as string, text: indexed[i] as string })));
  const stale = (before?.chunkIds ?? []).filter((id) => !ids.includes(id));
  await vectors.remove(input.collection, stale);
  await removePayloads(services.redis, input.collection, stale);
  await saveDocument(services, {
    id: input.id,
    collection: input.collection,
    title,
    format: input.format,
    contentHash,
    chunkIds: ids,
    source: input.source,
    metadata: input.metadata,
    bytes,
    ingestedAt: now.toISOString(),
  });
  ragDocuments.inc({ collection: input.collection, status: before ? 'replaced' : 'created' });
  ragChunks.inc({ collection: input.collection, embedder: embedder.name }, chunks.length);
  return { status: before ? 'replaced' : 'created', id: input.id, collection: input.collection, chunks: chunks.length };
}

export async function deleteDocument(services: Services, vectors: ChunkVectors, collection: string, id: string): Promise<{ id: string; chunks: number }> {
  const record = await readDocument(services, collection, id);
  if (!record) throw new NotFoundError('document', `${collection}/${id}`);
  await vectors.remove(collection, record.chunkIds);
  await removeChunks(services.redis, collection, record.chunkIds);
  await removePayloads(services.redis, collection, record.chunkIds);
  await deleteDocumentRecord(services, collection, id);
  ragDocuments.inc({ collection, status: 'deleted' });
  return { id, chunks: record.chunkIds.length };
}

function firstHeading(blocks: readonly Block[]): string | undefined {
  for (const block of blocks) if (block.kind === 'heading') return block.text;
  return undefined;
}
