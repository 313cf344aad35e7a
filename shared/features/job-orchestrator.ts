import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import {
  featureJobActivityNames,
  mergeTally,
  type FeatureJobInput,
  type JobFinishRequest,
  type JobFrame,
  type JobPlan,
  type JobStepOutcome,
  type JobStepRequest,
  type JobStop,
  type JobTally,
} from './job-contract.js';

/** A store that blinks is retried; a caller's mistake is not an exception and is never retried. */
const retry = new df.RetryOptions(1_000, 3);
retry.backoffCoefficient = 2;

/**
 * A feature-store job: plan it (what to read, in how many steps), run the steps one after
 * another, then finish it (result, watermark, clean-up). Cancelling is a flag on the job's
 * record that every step reads before it starts and between its chunks, so the orchestration
 * waits on nothing but its own activities: no external event, no Task.any, nothing yielded
 * twice (the pitfalls run-orchestrator.ts works around). Steps run one at a time: each writes
 * the job's progress as an absolute count, and a cancel stops the job after at most one
 * chunk of one step.
 */
export const featureJobOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const { jobId } = context.df.getInput() as FeatureJobInput;
  // The record is found by the instance id, so one orchestration can only ever run its own job.
  if (context.df.instanceId !== jobId) throw new Error(`instance "${context.df.instanceId}" is not job "${jobId}": a job's orchestration has the job's id`);
  let tally: JobTally = {};
  let steps = 0;
  let stop: JobStop | undefined;
  let frame: JobFrame | undefined;
  try {
    const plan = (yield context.df.callActivityWithRetry(featureJobActivityNames.plan, retry, { jobId })) as JobPlan;
    if (plan.outcome !== 'planned') stop = plan;
    else {
      frame = plan.frame;
      let done = 0;
      for (const [index, step] of plan.steps.entries()) {
        const request: JobStepRequest = { jobId, index, step, doneBefore: done, frame };
        const outcome = (yield context.df.callActivityWithRetry(featureJobActivityNames.step, retry, request)) as JobStepOutcome;
        if (outcome.tally) tally = mergeTally(tally, outcome.tally);
        if (outcome.outcome !== 'done') {
          stop = outcome.outcome === 'failed' ? { outcome: 'failed', error: outcome.error } : { outcome: 'cancelled' };
          break;
        }
        steps++;
        done += outcome.units;
        context.df.setCustomStatus({ done, total: plan.total });
      }
    }
  } catch (error) {
    // An activity that failed every attempt: our fault or a dependency's, not the caller's.
    stop = { outcome: 'failed', error: { code: 'internal_error', message: error instanceof Error ? error.message : String(error) } };
  }
  const finish: JobFinishRequest = { jobId, tally, steps, ...(frame ? { frame } : {}), ...(stop ? { stop } : {}) };
  return yield context.df.callActivityWithRetry(featureJobActivityNames.finish, retry, finish);
};
