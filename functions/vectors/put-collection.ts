import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { putCollection } from '../../shared/vectors/collections.js';
import { collectionName, collectionSpec } from '../../shared/vectors/requests.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('put-collection', [
  {
    method: 'PUT',
    path: 'collections/{name}',
    summary: 'Creates a collection',
    params: { name: collectionName },
    body: collectionSpec,
    responses: {
      200: { description: 'The same collection exists' },
      201: { description: 'Created' },
      409: { description: 'It exists with another shape, or the app holds as many collections as it may' },
    },
  },
]);

/** Creates a collection (201), or answers the same one (200); another shape is a 409. */
app.http('put-collection', {
  methods: ['PUT'],
  route: 'collections/{name}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const name = routeParam(request, 'name', collectionName);
    const spec = await readJsonBody(request, collectionSpec);
    const { collection, created } = await putCollection(getServices(), name, spec, new Date());
    return json(created ? 201 : 200, collection);
  }),
});
