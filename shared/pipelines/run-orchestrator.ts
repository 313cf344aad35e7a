import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { cancel, complete, createSchedule, isFinished, ready, stateOf, stepStates } from './dag.js';
import { resolveStepInputs } from './expressions.js';
import type { StepRecord } from './runs.js';
import type { StepSpec } from './spec.js';
import {
  activityNames,
  signalEvent,
  type LoadedRun,
  type LoadRunRequest,
  type PipelineRunInput,
  type PipelineSignal,
  type ReconcileRequest,
  type RecordRequest,
  type RunCarry,
  type StepInvocation,
} from './run-contract.js';

/**
 * Signals one execution handles before continuing as new. Durable replays the whole history
 * on every wake-up, so a 2,000-step run in one history would replay quadratically.
 */
export const signalsPerExecution = 100;

/**
 * Runs a pipeline: starts each step as soon as all its dependencies have succeeded, never
 * more than maxParallel at once. Each wait yields only tasks it has never yielded before: a
 * Task.any over tasks already waited on makes the Azure extension schedule them again
 * (azure-functions-durable-js#574). So the steps started in this turn race one new
 * external-event waiter, and steps started in earlier turns report through that event: the
 * step activity raises it when it ends. A step heard from twice counts once.
 */
export const pipelineRunOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as PipelineRunInput;
  const { runId } = input;
  // A run's orchestration has the run's id, so one started under another id cannot act on a
  // run's record; the load below refuses a run that is not recorded in the state expected.
  if (context.df.instanceId !== runId) {
    throw new Error(`instance "${context.df.instanceId}" is not run "${runId}": a run's orchestration has its run's id`);
  }
  const continued = input.carry !== undefined;
  const { spec, params, reuse } = (yield context.df.callActivity(activityNames.load, { runId, continued } satisfies LoadRunRequest)) as LoadedRun;
  const now = () => context.df.currentUtcDateTime.toISOString();
  const steps = new Map<string, StepSpec>(spec.steps.map((step) => [step.id, step]));
  let marks: Record<string, Partial<StepRecord>> = {};

  let carry: RunCarry;
  if (input.carry) {
    carry = input.carry;
    // A cancel raised while this execution was being created may have been dropped by the
    // extension; the run record keeps the request.
    const pending = (yield context.df.callActivity(activityNames.reconcile, { runId, stepIds: [] } satisfies ReconcileRequest)) as PipelineSignal[];
    for (const signal of pending) apply(signal);
  } else {
    carry = { schedule: createSchedule(spec), outputs: {}, cancelled: false, failed: false, execution: 1 };
    for (const [stepId, outputs] of Object.entries(reuse)) {
      if (!steps.has(stepId)) continue;
      complete(carry.schedule, stepId, 'cached');
      carry.outputs[stepId] = outputs;
      marks[stepId] = { state: 'cached', outputs, endedAt: now() };
    }
    const started: RecordRequest = { runId, pipeline: spec.name, run: { state: 'running', startedAt: now() }, steps: marks };
    yield context.df.callActivity(activityNames.record, started);
    marks = {};
  }

  function markDownstream(stepIds: string[], state: 'upstream_failed' | 'skipped'): void {
    for (const id of stepIds) marks[id] = { state, endedAt: now() };
  }

  function apply(signal: PipelineSignal): void {
    if (signal.kind === 'cancel') {
      carry.cancelled = true;
      markDownstream(cancel(carry.schedule), 'skipped');
      return;
    }
    if (!steps.has(signal.stepId) || stateOf(carry.schedule, signal.stepId) !== 'running') return;
    if (signal.outcome === 'succeeded') {
      carry.outputs[signal.stepId] = signal.outputs ?? {};
      complete(carry.schedule, signal.stepId, 'succeeded');
    } else {
      carry.failed = true;
      markDownstream(complete(carry.schedule, signal.stepId, 'failed'), 'upstream_failed');
    }
  }

  function startStep(invocation: StepInvocation): Task {
    const retry = invocation.retry;
    if (retry && retry.attempts > 1) {
      const options = new df.RetryOptions(retry.backoffSeconds * 1000, retry.attempts);
      options.backoffCoefficient = retry.backoffCoefficient;
      return context.df.callActivityWithRetry(activityNames.step, options, invocation);
    }
    return context.df.callActivity(activityNames.step, invocation);
  }

  let signals = 0;
  for (;;) {
    const started: Array<{ stepId: string; task: Task }> = [];
    // Past its signal budget an execution starts nothing more, lets running steps finish, and
    // then continues as new with none in flight: no result can fall between two executions.
    const draining = signals >= signalsPerExecution;
    const startable = () => (carry.cancelled || draining ? [] : ready(carry.schedule));
    for (let batch = startable(); batch.length; batch = startable()) {
      for (const stepId of batch) {
        const step = steps.get(stepId) as StepSpec;
        try {
          const resolved = resolveStepInputs(step.with, { params, outputs: carry.outputs });
          const invocation: StepInvocation = { runId, stepId, uses: step.uses, with: resolved, retry: step.retry, timeoutSeconds: step.timeoutSeconds };
          started.push({ stepId, task: startStep(invocation) });
        } catch (error) {
          // An input that cannot be resolved fails the step before it runs.
          carry.failed = true;
          marks[stepId] = { state: 'failed', error: error instanceof Error ? error.message : String(error), endedAt: now() };
          markDownstream(complete(carry.schedule, stepId, 'failed'), 'upstream_failed');
        }
      }
      // Steps over maxParallel wait for a running one to finish, not for this loop.
      if (started.length) break;
    }
    const { running, pending } = carry.schedule;
    const total = carry.schedule.steps.length;
    context.df.setCustomStatus({ done: total - running - pending, running, total });
    if (isFinished(carry.schedule)) break;
    if (draining && carry.schedule.running === 0 && !Object.keys(marks).length) {
      context.df.continueAsNew({ runId, carry: { ...carry, execution: carry.execution + 1 } } satisfies PipelineRunInput);
      return undefined;
    }
    // Every wait includes the newest waiter, and nothing else is ever waited on alone: the
    // engine hands an event to the most recent open waiter, so an older one left open by a
    // step that won its race never swallows a signal.
    let recordTask: Task | undefined;
    let recorded: Record<string, Partial<StepRecord>> = {};
    if (Object.keys(marks).length) {
      recorded = marks;
      marks = {};
      recordTask = context.df.callActivity(activityNames.record, { runId, pipeline: spec.name, steps: recorded } satisfies RecordRequest);
    }
    const waiter = context.df.waitForExternalEvent(signalEvent);
    const racing = [...started.map((s) => s.task), ...(recordTask ? [recordTask] : []), waiter];
    // Yielding a single task gives its result; yielding Task.any gives the winning task.
    const winner = racing.length > 1 ? ((yield context.df.Task.any(racing)) as Task) : (yield waiter, waiter);
    if (winner === recordTask) {
      // A record that failed is written again with the next marks.
      if (winner.isFaulted) marks = { ...recorded, ...marks };
      continue;
    }
    signals++;
    if (winner === waiter) {
      apply(waiter.result as PipelineSignal);
    } else {
      const { stepId } = started.find((s) => s.task === winner) as { stepId: string };
      apply(
        winner.isFaulted
          ? { kind: 'step', stepId, outcome: 'failed', error: winner.result instanceof Error ? winner.result.message : String(winner.result) }
          : { kind: 'step', stepId, outcome: 'succeeded', outputs: (winner.result ?? {}) as Record<string, unknown> },
      );
    }
  }

  const state = carry.cancelled ? 'cancelled' : carry.failed ? 'failed' : 'succeeded';
  const finished: RecordRequest = { runId, pipeline: spec.name, run: { state, endedAt: now() }, steps: marks };
  yield context.df.callActivity(activityNames.record, finished);
  return { runId, state, steps: stepStates(carry.schedule) };
};
