import { app } from '@azure/functions';
import { blobTriggerOptions } from '../../shared/platform/blob-triggers.js';
import { getServices } from '../../shared/platform/services.js';
import { documentText, formatOfName, ingestDocument } from '../../shared/rag/ingest.js';
import { ragModels } from '../../shared/rag/models.js';
import { vectorSearchChunks } from '../../shared/rag/vector-search-chunks.js';

/**
 * A document dropped into the `documents` container is ingested under its blob name. A file
 * that is not a document (by extension) is skipped with a warning; a failure throws, so the host
 * retries it and finally records it as poison.
 */
app.storageBlob('ingest-rag-document', {
  ...blobTriggerOptions('ingest-rag-document', 'documents/{name}'),
  handler: async (blob, context) => {
    const name = String(context.triggerMetadata?.name);
    const format = formatOfName(name);
    if (!format) {
      context.warn(`documents/${name} is not Markdown, text, HTML or PDF; skipped`);
      return;
    }
    const services = getServices();
    const content = Buffer.isBuffer(blob) ? blob : Buffer.from(String(blob));
    const { text, title } = await documentText(content, format);
    const result = await ingestDocument(
      services,
      ragModels(services.settings).embedder,
      vectorSearchChunks(services),
      { collection: services.settings.ARBOR_RAG_COLLECTION, id: name, title, text, format, metadata: {}, source: { kind: 'blob', container: 'documents', name } },
      new Date(),
    );
    context.log(`documents/${name}: ${result.status}, ${result.chunks} chunks`);
  },
});
