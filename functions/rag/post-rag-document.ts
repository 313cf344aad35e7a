import { createHash } from 'node:crypto';
import { app } from '@azure/functions';
import { RestError } from '@azure/storage-blob';
import { BadRequestError, ConflictError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { documentText, formatOfName, ingestDocument } from '../../shared/rag/ingest.js';
import { ragModels } from '../../shared/rag/models.js';
import { documentRequestSchema } from '../../shared/rag/requests.js';
import { vectorSearchChunks } from '../../shared/rag/vector-search-chunks.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('post-rag-document', [
  {
    method: 'POST',
    path: 'rag/documents',
    summary: 'Ingests a document given as text, or by a blob it names: chunk, embed, index',
    body: documentRequestSchema,
    responses: {
      200: { description: 'Replaced or unchanged' },
      201: { description: 'Created' },
      409: { description: 'The blob changed while it was read, or the collection holds vectors of another dimension' },
    },
  },
]);

/** Ingests a document given as text, or by a blob it names: 201 created, 200 replaced or unchanged. */
app.http('post-rag-document', {
  methods: ['POST'],
  route: 'rag/documents',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, documentRequestSchema);
    const services = getServices();
    const format = body.format ?? (body.blob ? formatOfName(body.blob.name) : 'markdown');
    if (!format) throw new BadRequestError('unsupported_format', 'the blob is not Markdown, text, HTML or PDF', [{ field: 'format', problem: 'cannot be told from the blob name; give markdown, text, html or pdf' }]);
    if (format === 'pdf' && !body.blob) throw new BadRequestError('pdf_needs_blob', 'a PDF is ingested from a blob', [{ field: 'format', problem: 'pdf needs "blob", not "text"' }]);
    let text = body.text;
    let foundTitle: string | undefined;
    if (body.blob) {
      const blob = body.blob;
      const client = services.blob.getContainerClient(blob.container).getBlobClient(blob.name);
      const refused = (error: unknown): never => {
        if (error instanceof RestError && error.statusCode === 404) throw new BadRequestError('blob_not_found', `${blob.container}/${blob.name} does not exist`, [{ field: 'blob', problem: 'does not exist' }]);
        if (error instanceof RestError && error.statusCode === 412) throw new ConflictError(`${blob.container}/${blob.name} changed while it was read; send it again`);
        throw error;
      };
      // The size from the blob's properties, before a byte is read: a huge blob never reaches memory.
      const { contentLength: size = 0, etag } = await client.getProperties().catch(refused);
      const limit = services.settings.ARBOR_RAG_MAX_DOCUMENT_BYTES;
      if (size > limit) throw new BadRequestError('document_too_large', `${blob.container}/${blob.name} is ${size} bytes; the limit is ${limit}`, [{ field: 'blob', problem: `is ${size} bytes, over the ${limit}-byte limit (ARBOR_RAG_MAX_DOCUMENT_BYTES)` }]);
      const bytes = size === 0 ? Buffer.alloc(0) : await client.downloadToBuffer(0, size, { conditions: { ifMatch: etag } }).catch(refused);
      ({ text, title: foundTitle } = await documentText(bytes, format));
    }
    const id = body.id ?? body.blob?.name ?? `doc-${createHash('sha256').update(text as string).digest('hex').slice(0, 16)}`;
    const { embedder } = ragModels(services.settings);
    const result = await ingestDocument(
      services,
      embedder,
      vectorSearchChunks(services),
      {
        collection: body.collection ?? services.settings.ARBOR_RAG_COLLECTION,
        id,
        title: body.title ?? foundTitle,
        text: text as string,
        format,
        metadata: body.metadata ?? {},
        source: body.blob ? { kind: 'blob', container: body.blob.container, name: body.blob.name } : { kind: 'http' },
      },
      new Date(),
    );
    return json(result.status === 'created' ? 201 : 200, result);
  }),
});
