import { app } from '@azure/functions';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { collectionName } from '../../shared/vectors/requests.js';
import { dropCollection } from '../../shared/vectors/collection-admin.js';

/** Drops a collection with its items, logs and snapshots. */
app.http('delete-collection', {
  methods: ['DELETE'],
  route: 'collections/{name}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const name = routeParam(request, 'name', collectionName);
    if (!(await dropCollection(getServices(), name))) throw new NotFoundError('collection', name);
    return json(200, { deleted: name });
  }),
});
