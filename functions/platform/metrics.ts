import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute('metrics', [
  { method: 'GET', path: 'metrics', summary: 'Prometheus metrics: per function invocations, errors, latency; Node process metrics', responses: { 200: { description: 'Prometheus text', content: { 'text/plain': 'text' } } } },
]);

app.http('metrics', {
  methods: ['GET'],
  route: 'metrics',
  authLevel: 'function',
  handler: httpHandler(async () => {
    const { metrics } = getServices();
    return { status: 200, body: await metrics.metrics(), headers: { 'content-type': metrics.contentType } };
  }),
});
