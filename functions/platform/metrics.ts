import { app } from '@azure/functions';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler } from '../../shared/platform/http.js';

app.http('metrics', {
  methods: ['GET'],
  route: 'metrics',
  authLevel: 'function',
  handler: httpHandler(async () => {
    const { metrics } = getServices();
    return { status: 200, body: await metrics.metrics(), headers: { 'content-type': metrics.contentType } };
  }),
});
