import { app } from '@azure/functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { listCollections } from '../../shared/vectors/collections.js';
import { collectionName } from '../../shared/vectors/requests.js';
import { describeCollection } from '../../shared/vectors/collection-admin.js';
import { requireCollection } from '../../shared/vectors/collection-cache.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-collections', [
  { method: 'GET', path: 'collections', operationId: 'list-collections', summary: 'Lists the collections', responses: { 200: { description: 'The collections', schema: z.object({ collections: z.array(z.record(z.string(), z.unknown())) }) } } },
  {
    method: 'GET',
    path: 'collections/{name}',
    summary: 'Describes a collection, per shard',
    params: { name: collectionName },
    responses: { 200: { description: 'The collection' }, 404: { description: 'No such collection' } },
  },
]);

/** GET /api/collections lists them; GET /api/collections/{name} describes one, per shard. */
app.http('get-collections', {
  methods: ['GET'],
  route: 'collections/{name?}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    if (!request.params.name) return json(200, { collections: await listCollections(services) });
    const collection = await requireCollection(services, routeParam(request, 'name', collectionName));
    return json(200, await describeCollection(services, collection));
  }),
});
