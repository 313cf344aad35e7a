import { app } from '@azure/functions';
import { watchedContainers } from '../../shared/platform/blob-triggers.js';
import { cachedBlobTriggerCheck } from '../../shared/platform/event-grid-subscriptions.js';
import { checkHealth } from '../../shared/platform/health.js';
import { recentHeartbeats } from '../../shared/platform/heartbeat.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json } from '../../shared/platform/http.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';

describeRoute(
  'health',
  [
    {
      method: 'GET',
      path: 'health',
      summary: "Each dependency's state and latency, and the live hosts",
      responses: { 200: { description: 'All up' }, 503: { description: 'A dependency is down: the same report', content: { 'application/json': 'json' } } },
    },
  ],
  'anonymous',
);

const blobTriggerCheck = cachedBlobTriggerCheck();

app.http('health', {
  methods: ['GET'],
  route: 'health',
  authLevel: 'anonymous',
  handler: httpHandler(async () => {
    const services = getServices();
    const report = await checkHealth(services, () => blobTriggerCheck(services.settings, watchedContainers()));
    const hosts =
      report.dependencies.redis.status === 'up' ? await recentHeartbeats(services, new Date(), 5 * 60_000) : [];
    return json(report.status === 'ok' ? 200 : 503, { ...report, hosts });
  }),
});
