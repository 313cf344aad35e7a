import { app } from '@azure/functions';
import { datasetName, getDataset, listDatasets } from '../../shared/landing/datasets.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';

/** GET /api/datasets lists them all; GET /api/datasets/{name} returns one. */
app.http('get-datasets', {
  methods: ['GET'],
  route: 'datasets/{name?}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    if (!request.params.name) return json(200, { datasets: await listDatasets(services) });
    const name = routeParam(request, 'name', datasetName);
    const dataset = await getDataset(services, name);
    if (!dataset) throw new NotFoundError('dataset', name);
    return json(200, dataset);
  }),
});
