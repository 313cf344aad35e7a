import type { DurableClient } from 'durable-functions';
import { messageOf } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { executeStep, StepFailedError } from './execute-step.js';
import { signalEvent, type PipelineSignal, type ReconcileRequest, type StepInvocation } from './run-contract.js';
import { getRunDocument, readStep } from './runs.js';

/**
 * The run signal, both ends outside the orchestrator: a step tells its run when the step has
 * ended, a cancel tells it to stop, and a new execution (after continueAsNew) asks the records
 * for what it may have missed. The run waits on this one event for steps it started in earlier
 * turns (run-orchestrator.ts says why).
 */

export type RunSignaller = Pick<DurableClient, 'raiseEvent'>;

export function signalRun(client: RunSignaller, runId: string, signal: PipelineSignal): Promise<void> {
  return client.raiseEvent(runId, signalEvent, signal);
}

/**
 * One attempt of a step. When the step is done (succeeded, or failed on its last attempt) it
 * signals its run; a failed attempt with retries left says nothing, the retry follows.
 */
export async function runStepAndSignal(services: Services, client: RunSignaller, invocation: StepInvocation): Promise<Record<string, unknown>> {
  const tell = (signal: PipelineSignal) => signalRun(client, invocation.runId, signal);
  const outcome = await executeStep(services, invocation).then(
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
}

/** What the records know that a new execution may have missed: a cancel, steps that ended. */
export async function missedSignals(services: Services, request: ReconcileRequest): Promise<PipelineSignal[]> {
  const signals: PipelineSignal[] = [];
  const run = await getRunDocument(services, request.runId);
  if (run?.cancelRequestedAt) signals.push({ kind: 'cancel' });
  for (const stepId of request.stepIds) {
    const step = await readStep(services, request.runId, stepId);
    if (step?.state === 'succeeded') signals.push({ kind: 'step', stepId, outcome: 'succeeded', outputs: step.outputs ?? {} });
    if (step?.state === 'failed') signals.push({ kind: 'step', stepId, outcome: 'failed', error: step.error });
  }
  return signals;
}
