import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { collectionName } from '../../shared/vectors/requests.js';
import { requireCollection } from '../../shared/vectors/collection-cache.js';
import { snapshotCollection } from '../../shared/vectors/snapshot-job.js';

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
