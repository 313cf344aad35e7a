import * as df from 'durable-functions';
import { purgeExpiredReports } from '../../shared/drift/retention.js';
import { purgeExpiredRuns, purgeFinishedInstances } from '../../shared/pipelines/retention.js';
import { messageOf } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { registrationSetting } from '../../shared/platform/settings.js';

const daysBefore = (now: Date, days: number) => new Date(now.getTime() - days * 86_400_000);

/**
 * Retention (ARBOR_RETENTION_*): finished runs with their steps, staging blobs and durable
 * history; durable histories of finished orchestrations; drift reports. Each part runs even
 * when another fails; a part that fails is tried again at the next tick.
 */
df.app.client.timer('purge-expired', {
  schedule: registrationSetting('ARBOR_RETENTION_SCHEDULE'),
  handler: async (_timer, client, context) => {
    const services = getServices();
    const { settings } = services;
    const now = new Date();
    const parts: Array<[string, () => Promise<string | undefined>]> = [
      [
        'runs',
        async () => {
          const { purged, kept, blobs } = await purgeExpiredRuns(services, client, daysBefore(now, settings.ARBOR_RETENTION_RUNS_DAYS));
          for (const { runId, reason } of kept) context.warn(`kept expired run ${runId}: ${reason}`);
          return purged.length ? `${purged.length} run(s) with ${blobs} staging blob(s)` : undefined;
        },
      ],
      [
        'durable histories',
        async () => {
          const durableDays = settings.ARBOR_RETENTION_DURABLE_DAYS;
          const deleted = await purgeFinishedInstances(client, {
            cutoff: daysBefore(now, durableDays),
            // A failed orchestration's history is kept as long as runs are, for diagnosis.
            failedCutoff: daysBefore(now, Math.max(durableDays, settings.ARBOR_RETENTION_RUNS_DAYS)),
          });
          return deleted ? `${deleted} durable instance(s)` : undefined;
        },
      ],
      [
        'drift reports',
        async () => {
          const deleted = await purgeExpiredReports(services, daysBefore(now, settings.ARBOR_RETENTION_DRIFT_REPORTS_DAYS));
          return deleted ? `${deleted} drift report(s)` : undefined;
        },
      ],
    ];
    for (const [what, purge] of parts) {
      try {
        const done = await purge();
        if (done) context.log(`purged ${done}`);
      } catch (error) {
        context.error(`purging ${what} failed: ${messageOf(error)}`);
      }
    }
  },
});
