import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { collectionName } from '../../shared/vectors/requests.js';
import { requireCollection, snapshotCollection } from '../../shared/vectors/service.js';

/** Snapshots every changed shard now (rebuilding those with many tombstones) and trims their logs. */
app.http('snapshot-collection', {
  methods: ['POST'],
  route: 'collections/{name}/snapshot',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const collection = await requireCollection(services, routeParam(request, 'name', collectionName));
    return json(200, { collection: collection.name, shards: await snapshotCollection(services, collection) });
  }),
});
