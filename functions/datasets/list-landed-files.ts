import { app } from '@azure/functions';
import { z } from 'zod';
import { datasetName, getDataset } from '../../shared/landing/datasets.js';
import { listLandedFiles } from '../../shared/landing/landed-files.js';
import { NotFoundError } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('list-landed-files', [
  {
    method: 'GET',
    path: 'datasets/{name}/files',
    summary: 'The files catalogued from landing/{name}/...',
    params: { name: datasetName },
    responses: { 200: { description: 'The files', schema: z.object({ dataset: z.string(), files: z.array(z.record(z.string(), z.unknown())) }) }, 404: { description: 'No such dataset' } },
  },
]);

app.http('list-landed-files', {
  methods: ['GET'],
  route: 'datasets/{name}/files',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const services = getServices();
    const name = routeParam(request, 'name', datasetName);
    if (!(await getDataset(services, name))) throw new NotFoundError('dataset', name);
    return json(200, { dataset: name, files: await listLandedFiles(services, name) });
  }),
});
