import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, routeParam } from '../../shared/platform/http.js';
import { deleteDocument } from '../../shared/rag/ingest.js';
import { collectionQuery, documentId } from '../../shared/rag/requests.js';
import { vectorSearchChunks } from '../../shared/rag/vector-search-chunks.js';

/** Removes a document's chunks from the vector and keyword indexes, then its record. */
app.http('delete-rag-document', {
  methods: ['DELETE'],
  route: 'rag/documents/{*id}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const id = routeParam(request, 'id', documentId);
    const services = getServices();
    const collection = queryParam(request, 'collection', collectionQuery.optional()) ?? services.settings.ARBOR_RAG_COLLECTION;
    return json(200, await deleteDocument(services, vectorSearchChunks(services), collection, id));
  }),
});
