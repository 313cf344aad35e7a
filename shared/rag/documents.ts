import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import { withoutSystemProperties, type ContainerDefinition } from '../storage/cosmos.js';

/** One record per ingested document, partitioned by collection. */
export const ragDocumentsContainer: ContainerDefinition = { id: 'rag-documents', partitionKey: '/collection' };

export interface DocumentRecord {
  id: string;
  collection: string;
  title: string;
  format: 'markdown' | 'text' | 'html' | 'pdf';
  /** sha256 of everything that shapes the chunks: unchanged input does nothing. */
  contentHash: string;
  chunkIds: string[];
  source: { kind: 'http' } | { kind: 'blob'; container: string; name: string };
  metadata: Record<string, string | number | boolean>;
  bytes: number;
  ingestedAt: string;
}

/** Document ids may hold '/' (blob names); Cosmos ids may not, so the record's id is an encoding. */
const recordId = (id: string) => `d-${Buffer.from(id).toString('base64url')}`;

export async function readDocument(services: Services, collection: string, id: string): Promise<DocumentRecord | undefined> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(ragDocumentsContainer);
    const { resource } = await container.item(recordId(id), collection).read<DocumentRecord & { documentId: string }>();
    if (!resource) return undefined;
    const { documentId, ...record } = withoutSystemProperties(resource);
    return { ...record, id: documentId };
  });
}

export async function saveDocument(services: Services, record: DocumentRecord): Promise<void> {
  await callDependency('cosmos', async () => {
    const container = await services.cosmos.container(ragDocumentsContainer);
    await container.items.upsert({ ...record, id: recordId(record.id), documentId: record.id });
  });
}

export async function deleteDocumentRecord(services: Services, collection: string, id: string): Promise<void> {
  await callDependency('cosmos', async () => {
    const container = await services.cosmos.container(ragDocumentsContainer);
    await container.item(recordId(id), collection).delete();
  });
}
