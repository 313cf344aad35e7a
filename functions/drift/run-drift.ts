import { app } from '@azure/functions';
import { driftRunSchema } from '../../shared/drift/requests.js';
import { runDrift } from '../../shared/drift/run.js';
import { loadRegistry } from '../../shared/features/registry.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json, readJsonBody } from '../../shared/platform/http.js';
import { featureStores } from '../../shared/features/stores.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('run-drift', [
  {
    method: 'POST',
    path: 'drift/run',
    summary: 'Runs a drift check now and answers with its stored report',
    body: driftRunSchema,
    responses: { 200: { description: 'The report: per feature test, score, threshold, drifted; data quality' }, 404: { description: 'A feature view it names is not registered (unknown_view, the field named in details)' }, 409: { description: 'Offline partitions it needs are archived (named)' } },
  },
]);

/** Runs a drift check now and answers with its stored report. Scheduled checks are pipelines with a `drift.run` step. */
app.http('run-drift', {
  methods: ['POST'],
  route: 'drift/run',
  authLevel: 'function',
  handler: httpHandler(async (request) => {
    const body = await readJsonBody(request, driftRunSchema);
    const services = getServices();
    return json(200, await runDrift(services, featureStores(services).offline, await loadRegistry(services), body, new Date()));
  }),
});
