import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, queryParam, routeParam } from '../../shared/platform/http.js';
import { deleteDocument } from '../../shared/rag/ingest.js';
import { collectionQuery, documentId } from '../../shared/rag/requests.js';
import { vectorSearchChunks } from '../../shared/rag/vector-search-chunks.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('delete-rag-document', [
  {
    method: 'DELETE',
    path: 'rag/documents/{id}',
    summary: "Removes a document's chunks from the vector and keyword indexes, then its record",
    params: { id: documentId },
    query: { collection: collectionQuery.optional() },
    responses: { 200: { description: 'What was removed' }, 404: { description: 'No such document' } },
  },
]);

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
