import { app } from '@azure/functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { collectionName, parseUpsert, upsertRequest } from '../../shared/vectors/requests.js';
import { requireCollection } from '../../shared/vectors/collection-cache.js';
import { upsertItems } from '../../shared/vectors/item-writes.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('upsert-items', [
  {
    method: 'POST',
    path: 'collections/{name}/items',
    summary: "Upserts a batch (up to 1,000), answered once every item is in its shard's log",
    params: { name: collectionName },
    // The vector's length is checked against the collection's dimension, which the schema cannot know.
    body: upsertRequest(1),
    responses: { 200: { description: 'What was written' }, 404: { description: 'No such collection' } },
  },
]);

/**
 * Upserts a batch. The whole batch is validated against the collection first (a 400 changes
 * nothing); the answer comes after every item is in its shard's log in blob storage.
 */
app.http('upsert-items', {
  methods: ['POST'],
  route: 'collections/{name}/items',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const name = routeParam(request, 'name', collectionName);
    const body = await readJsonBody(request, z.unknown());
    const collection = await requireCollection(services, name);
    return json(200, await upsertItems(services, collection, parseUpsert(collection.dimension, body, collection.metric)));
  }),
});
