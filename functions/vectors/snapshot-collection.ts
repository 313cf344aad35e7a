import { app } from '@azure/functions';
import { z } from 'zod';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { collectionName } from '../../shared/vectors/requests.js';
import { requireCollection } from '../../shared/vectors/collection-cache.js';
import { snapshotCollection } from '../../shared/vectors/snapshot-job.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('snapshot-collection', [
  {
    method: 'POST',
    path: 'collections/{name}/snapshot',
    summary: 'Snapshots every changed shard now and trims their logs',
    params: { name: collectionName },
    responses: { 200: { description: 'Each shard snapshotted', schema: z.object({ collection: z.string(), shards: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such collection' } },
  },
]);

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
