import * as df from 'durable-functions';
import { executeStep, StepFailedError } from '../../shared/pipelines/execute-step.js';
import { activityNames, signalEvent, type PipelineSignal, type StepInvocation } from '../../shared/pipelines/run-contract.js';
import { messageOf } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';

/**
 * One attempt of a step. When the step is done (succeeded, or failed on its last attempt) it
 * tells its run by event: the run waits on that event for steps it started in earlier turns.
 */
df.app.activity(activityNames.step, {
  extraInputs: [df.input.durableClient()],
  handler: async (invocation: StepInvocation, context) => {
    const client = df.getClient(context);
    const tell = (signal: PipelineSignal) => client.raiseEvent(invocation.runId, signalEvent, signal);
    const outcome = await executeStep(getServices(), invocation).then(
      (outputs) => ({ outputs }),
      (error: unknown) => ({ error }),
    );
    if ('outputs' in outcome) {
      await tell({ kind: 'step', stepId: invocation.stepId, outcome: 'succeeded', outputs: outcome.outputs });
      return outcome.outputs;
    }
    // Anything but a failed attempt with retries left (Cosmos down, say) ends the step here.
    const lastAttempt = outcome.error instanceof StepFailedError ? outcome.error.finalAttempt : true;
    if (lastAttempt) await tell({ kind: 'step', stepId: invocation.stepId, outcome: 'failed', error: messageOf(outcome.error) });
    throw outcome.error;
  },
});
