import { createHash } from 'node:crypto';

/**
 * Chunk ids: `<document hash>:<index>`. Vector item ids are opaque and fixed-length whatever
 * characters a document id holds, and the document a chunk belongs to can be read back from
 * the id alone, which is what diversity and document-level fusion need.
 */
export function chunkId(documentId: string, index: number): string {
  return `${createHash('sha256').update(documentId).digest('hex').slice(0, 24)}:${index}`;
}

/** The document part of a chunk id (its hash, not the document id itself); an id of another form is its own document. */
export function documentOfChunkId(id: string): string {
  const colon = id.lastIndexOf(':');
  return colon < 0 ? id : id.slice(0, colon);
}
