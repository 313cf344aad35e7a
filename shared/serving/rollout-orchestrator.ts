import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from 'durable-functions';
import {
  isFinished,
  rolloutActivityNames,
  rolloutControlEvent,
  type RolloutActivityRequest,
  type RolloutCommandRequest,
  type RolloutControlSignal,
  type RolloutOrchestrationInput,
  type RolloutStatus,
} from './rollout-contract.js';

/**
 * A canary rollout: set the first weight, then every interval (a durable timer) run one check,
 * until a check promotes or rolls back, or a control request (pause, resume, abort, promote)
 * ends it. The position (step, failures, checks) lives in the rollout's record, written by the
 * activities, so a host that dies mid-rollout resumes from its last completed activity.
 *
 * Each wait yields a new timer and a new event waiter, never a task already waited on: a
 * Task.any over tasks yielded before makes the Azure extension schedule them again
 * (azure-functions-durable-js#574). An event goes to the newest open waiter, so a waiter left
 * open by a timer that won never swallows a later control request. A timer that loses to a
 * control request is cancelled; the next interval starts in full after it.
 * The number of checks is bounded (maxRolloutChecks), so the history stays small enough to replay.
 * Activities are retried (a store that blinks); one that still fails ends the orchestration
 * with its lock held, and an abort or promote request then acts directly (rollout-service.ts).
 */
const retry = new df.RetryOptions(1_000, 4);
retry.backoffCoefficient = 2;

export const rolloutOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput() as RolloutOrchestrationInput;
  const request: RolloutActivityRequest = { rolloutId: input.rolloutId, endpoint: input.endpoint };
  let status = (yield context.df.callActivityWithRetry(rolloutActivityNames.begin, retry, request)) as RolloutStatus;
  while (!isFinished(status.state)) {
    const waiter = context.df.waitForExternalEvent(rolloutControlEvent);
    let timer: TimerTask | undefined;
    if (status.state === 'running') {
      timer = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + input.intervalSeconds * 1000));
    }
    const winner = timer ? ((yield context.df.Task.any([timer, waiter])) as Task) : (yield waiter, waiter);
    if (winner === waiter) {
      if (timer && !timer.isCompleted) timer.cancel();
      const signal = waiter.result as RolloutControlSignal;
      status = (yield context.df.callActivityWithRetry(rolloutActivityNames.command, retry, { ...request, command: signal.command } satisfies RolloutCommandRequest)) as RolloutStatus;
      continue;
    }
    status = (yield context.df.callActivityWithRetry(rolloutActivityNames.check, retry, request)) as RolloutStatus;
  }
  return status;
};
