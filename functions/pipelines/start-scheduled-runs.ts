import * as df from 'durable-functions';
import { startDueRuns } from '../../shared/pipelines/scheduled-runs.js';
import { getServices } from '../../shared/platform/services.js';
import { registrationSetting } from '../../shared/platform/settings.js';

/** Starts scheduled pipelines that came due (each due time once, across instances). */
df.app.client.timer('start-scheduled-runs', {
  schedule: registrationSetting('ARBOR_PIPELINE_SCHEDULER_SCHEDULE'),
  handler: async (_timer, client, context) => {
    const { started, failed } = await startDueRuns(getServices(), client, new Date());
    for (const runId of started) context.log(`started scheduled run ${runId}`);
    for (const { pipeline, error } of failed) context.error(`scheduled run of ${pipeline} could not start: ${error}`);
  },
});
