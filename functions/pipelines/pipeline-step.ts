import * as df from 'durable-functions';
import { activityNames, type StepInvocation } from '../../shared/pipelines/run-contract.js';
import { runStepAndSignal } from '../../shared/pipelines/run-signal.js';
import { getServices } from '../../shared/platform/services.js';

/** One attempt of a step; the step's end is signalled to its run (shared/pipelines/run-signal.ts). */
df.app.activity(activityNames.step, {
  extraInputs: [df.input.durableClient()],
  handler: (invocation: StepInvocation, context) => runStepAndSignal(getServices(), df.getClient(context), invocation),
});
