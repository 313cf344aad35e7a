import { app } from '@azure/functions';
import { z } from 'zod';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { collectionName, itemId } from '../../shared/vectors/requests.js';
import { requireCollection } from '../../shared/vectors/collection-cache.js';
import { deleteItem } from '../../shared/vectors/item-writes.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('delete-item', [
  {
    method: 'DELETE',
    path: 'collections/{name}/items/{id}',
    summary: 'Deletes one item (a tombstone in its shard)',
    params: { name: collectionName, id: itemId },
    responses: { 200: { description: 'Deleted', schema: z.object({ deleted: z.string() }) }, 404: { description: 'No such collection or item' } },
  },
]);

/** Deletes one item (a tombstone in its shard), logged before the answer; 404 when absent. */
app.http('delete-item', {
  methods: ['DELETE'],
  route: 'collections/{name}/items/{id}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const collection = await requireCollection(services, routeParam(request, 'name', collectionName));
    const id = routeParam(request, 'id', itemId);
    if (!(await deleteItem(services, collection, id))) throw new NotFoundError('item', id);
    return json(200, { deleted: id });
  }),
});
