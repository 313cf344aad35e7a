import { app } from '@azure/functions';
import { datasetInput, datasetName, putDataset } from '../../shared/landing/datasets.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody, routeParam } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('put-dataset', [
  {
    method: 'PUT',
    path: 'datasets/{name}',
    summary: 'Registers or updates a dataset',
    params: { name: datasetName },
    body: datasetInput,
    responses: { 200: { description: 'Updated' }, 201: { description: 'Created' } },
  },
]);

app.http('put-dataset', {
  methods: ['PUT'],
  route: 'datasets/{name?}',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const name = routeParam(request, 'name', datasetName);
    const input = await readJsonBody(request, datasetInput);
    const { dataset, created } = await putDataset(getServices(), name, input, new Date());
    return json(created ? 201 : 200, dataset);
  }),
});
