import * as df from 'durable-functions';
import { activityNames, type PipelineSignal, type ReconcileRequest } from '../../shared/pipelines/run-contract.js';
import { getRunDocument, readStep } from '../../shared/pipelines/runs.js';
import { getServices } from '../../shared/platform/services.js';

/** What the records know that a new execution may have missed: a cancel, steps that ended. */
df.app.activity(activityNames.reconcile, {
  handler: async (request: ReconcileRequest) => {
    const services = getServices();
    const signals: PipelineSignal[] = [];
    const run = await getRunDocument(services, request.runId);
    if (run?.cancelRequestedAt) signals.push({ kind: 'cancel' });
    for (const stepId of request.stepIds) {
      const step = await readStep(services, request.runId, stepId);
      if (step?.state === 'succeeded') signals.push({ kind: 'step', stepId, outcome: 'succeeded', outputs: step.outputs ?? {} });
      if (step?.state === 'failed') signals.push({ kind: 'step', stepId, outcome: 'failed', error: step.error });
    }
    return signals;
  },
});
