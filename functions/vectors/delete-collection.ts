import { app } from '@azure/functions';
import { z } from 'zod';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { forgetRagCollection } from '../../shared/rag/forget-collection.js';
import { collectionName } from '../../shared/vectors/requests.js';
import { dropCollection } from '../../shared/vectors/collection-admin.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('delete-collection', [
  {
    method: 'DELETE',
    path: 'collections/{name}',
    summary: 'Drops a collection with its items, logs and snapshots, and what RAG indexed in it',
    params: { name: collectionName },
    responses: { 200: { description: 'Dropped', schema: z.object({ deleted: z.string() }) }, 404: { description: 'No such collection' } },
  },
]);

/** Drops a collection with its items, logs and snapshots, and what RAG indexed in it (records, payloads, keyword index). */
app.http('delete-collection', {
  methods: ['DELETE'],
  route: 'collections/{name}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const name = routeParam(request, 'name', collectionName);
    const services = getServices();
    const dropped = await dropCollection(services, name);
    // Also when the vectors are already gone: RAG data left by a drop before this existed goes too.
    const rag = await forgetRagCollection(services, name);
    if (!dropped && !rag.documents && !rag.keys) throw new NotFoundError('collection', name);
    return json(200, { deleted: name });
  }),
});
