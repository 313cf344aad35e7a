import { app } from '@azure/functions';
import { z } from 'zod';
import { datasetName, getDataset, listDatasets } from '../../shared/landing/datasets.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('get-datasets', [
  { method: 'GET', path: 'datasets', operationId: 'list-datasets', summary: 'Lists the datasets', responses: { 200: { description: 'The datasets', schema: z.object({ datasets: z.array(z.record(z.string(), z.unknown())) }) } } },
  { method: 'GET', path: 'datasets/{name}', summary: 'One dataset', params: { name: datasetName }, responses: { 200: { description: 'The dataset' }, 404: { description: 'No such dataset' } } },
]);

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
