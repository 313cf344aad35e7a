import { z } from 'zod';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';

/** One record per ingested document, partitioned by collection. */
export const ragDocumentsContainer: ContainerDefinition = { id: 'rag-documents', partitionKey: '/collection' };

const documentRecord = z.object({
  id: z.string(),
  collection: z.string(),
  title: z.string(),
  format: z.enum(['markdown', 'text', 'html', 'pdf']),
  /** sha256 of everything that shapes the chunks: unchanged input does nothing. */
  contentHash: z.string(),
  chunkIds: z.array(z.string()),
  source: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('http') }),
    z.object({ kind: z.literal('blob'), container: z.string(), name: z.string() }),
  ]),
  metadata: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  bytes: z.number().int().min(0),
  ingestedAt: z.iso.datetime(),
});
export type DocumentRecord = z.output<typeof documentRecord>;

/** Document ids may hold '/' (blob names); Cosmos ids may not, so the stored id is an encoding and the document's own is `documentId`. */
const storedDocument = documentRecord.extend({ documentId: z.string() });
const recordId = (id: string) => `d-${Buffer.from(id).toString('base64url')}`;

const documents = (services: Services) => cosmosRepository(services.cosmos, ragDocumentsContainer, storedDocument);

export async function readDocument(services: Services, collection: string, id: string): Promise<DocumentRecord | undefined> {
  const stored = await documents(services).read(recordId(id), collection);
  if (!stored) return undefined;
  const { documentId, ...record } = stored;
  return { ...record, id: documentId };
}

export async function saveDocument(services: Services, record: DocumentRecord): Promise<void> {
  await documents(services).upsert({ ...record, id: recordId(record.id), documentId: record.id });
}

export async function deleteDocumentRecord(services: Services, collection: string, id: string): Promise<void> {
  await documents(services).delete(recordId(id), collection);
}
