import { app } from '@azure/functions';
import { watchedContainers } from '../../shared/platform/blob-triggers.js';
import { cachedBlobTriggerCheck } from '../../shared/platform/event-grid-subscriptions.js';
import { checkHealth } from '../../shared/platform/health.js';
import { recentHeartbeats } from '../../shared/platform/heartbeat.js';
import { getServices } from '../../shared/platform/services.js';
import { httpHandler, json } from '../../shared/platform/http.js';

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
