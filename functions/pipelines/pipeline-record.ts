import * as df from 'durable-functions';
import { pipelineRuns } from '../../shared/pipelines/metrics.js';
import { activityNames, type RecordRequest } from '../../shared/pipelines/run-contract.js';
import { runOutcomeLine } from '../../shared/pipelines/run-outcome.js';
import { getRunDocument, updateRun, writeSteps } from '../../shared/pipelines/runs.js';
import { getServices } from '../../shared/platform/services.js';

/** Writes what the run orchestrator decided (it may not do I/O itself). */
df.app.activity(activityNames.record, {
  handler: async (request: RecordRequest, context) => {
    const services = getServices();
    if (request.steps && Object.keys(request.steps).length) await writeSteps(services, request.runId, request.steps);
    if (request.run) {
      await updateRun(services, request.runId, request.run);
      if (request.run.state) pipelineRuns.inc({ pipeline: request.pipeline, event: request.run.state === 'running' ? 'started' : request.run.state });
      if (request.run.endedAt) {
        const run = await getRunDocument(services, request.runId);
        // A failed run is worth a warning: it shows at the log levels operators leave on.
        if (run) (run.state === 'failed' ? context.warn : context.log).call(context, runOutcomeLine(run));
      }
    }
    return null;
  },
});
