import { asArborError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { finishHistoricalJob, planHistoricalJob, runHistoricalStep } from './historical-job.js';
import type { JobFinishRequest, JobPlan, JobStepOutcome, JobStepRequest } from './job-contract.js';
import { endJob, isFinishedJob, readJob, updateJob, type JobDocument, type JobError, type JobView } from './job-records.js';
import { finishMaterializeJob, planMaterializeJob, runMaterializeStep } from './materialize-job.js';

/** An orchestration asked to run a job that the records do not back. */
export class JobRefusedError extends Error {
  constructor(jobId: string, reason: string) {
    super(`job "${jobId}" cannot be run: ${reason}`);
    this.name = 'JobRefusedError';
  }
}

/**
 * The caller's mistakes (400, 404, 409: a view not online, a bad row, an archived partition)
 * end the job at once with that error; anything else is thrown, so the orchestration retries
 * the activity, and fails the job only when every attempt has failed.
 */
function callersError(error: unknown): JobError | undefined {
  const known = asArborError(error);
  if (!known || known.status >= 500) return undefined;
  return { code: known.code, message: known.message, details: known.details };
}

async function runnable(services: Services, jobId: string): Promise<JobDocument> {
  const job = await readJob(services, jobId);
  if (!job) throw new JobRefusedError(jobId, 'it was never created (no job record)');
  return job;
}

/** Marks the job running and decides its steps; a job cancelled while queued stops here. */
export async function planJob(services: Services, jobId: string, now: Date): Promise<JobPlan> {
  const job = await runnable(services, jobId);
  if (isFinishedJob(job.state)) throw new JobRefusedError(jobId, `it is already ${job.state}`);
  if (job.cancelRequestedAt) return { outcome: 'cancelled' };
  await updateJob(services, jobId, { state: 'running', ...(job.startedAt ? {} : { startedAt: now.toISOString() }) });
  try {
    if (job.request.kind === 'materialize') {
      const plan = await planMaterializeJob(services, job.request, now);
      await updateJob(services, jobId, { progress: { ...job.progress, done: 0, total: plan.total } });
      return { outcome: 'planned', ...plan };
    }
    const plan = await planHistoricalJob(services, job.request);
    await updateJob(services, jobId, { progress: { ...job.progress, done: 0, total: plan.total } });
    return { outcome: 'planned', ...plan, frame: { until: now.toISOString() } };
  } catch (error) {
    const refused = callersError(error);
    if (refused) return { outcome: 'failed', error: refused };
    throw error;
  }
}

/** One step, unless the job was asked to stop; its progress written as an absolute count. */
export async function runJobStep(services: Services, request: JobStepRequest): Promise<JobStepOutcome> {
  const job = await runnable(services, request.jobId);
  if (job.cancelRequestedAt) return { outcome: 'cancelled' };
  try {
    const { step } = request;
    if (job.request.kind === 'materialize' && step.kind === 'partitions') {
      const { tally, stopped } = await runMaterializeStep(services, job.id, job.request, step, request.frame);
      if (stopped) return { outcome: 'cancelled', tally };
      await updateJob(services, job.id, { progress: { ...job.progress, done: request.doneBefore + step.count } });
      return { outcome: 'done', units: step.count, tally };
    }
    if (job.request.kind === 'historical' && step.kind === 'rows') {
      const tally = await runHistoricalStep(services, job.id, job.request, step, request.index);
      const units = Math.max(0, Math.min(step.to, job.progress.total) - step.from);
      await updateJob(services, job.id, { progress: { ...job.progress, done: request.doneBefore + units } });
      return { outcome: 'done', units, tally };
    }
    throw new JobRefusedError(job.id, `a ${job.request.kind} job has no ${step.kind} steps`);
  } catch (error) {
    const refused = callersError(error);
    if (refused) return { outcome: 'failed', error: refused };
    throw error;
  }
}

/** The job's end: its result (or error) recorded, what it kept while running removed. */
export async function finishJob(services: Services, request: JobFinishRequest, now: Date): Promise<JobView['state']> {
  const job = await runnable(services, request.jobId);
  if (isFinishedJob(job.state)) return job.state;
  const state = request.stop ? (request.stop.outcome === 'failed' ? 'failed' : 'cancelled') : 'succeeded';
  let result: Record<string, unknown> | undefined;
  let error = request.stop?.outcome === 'failed' ? request.stop.error : undefined;
  try {
    if (job.request.kind === 'materialize') result = { ...(await finishMaterializeJob(services, job.request, request.tally, request.frame, state, now)) };
    else {
      const trainingSet = await finishHistoricalJob(services, job.id, request.steps, state, now);
      if (trainingSet) result = { ...trainingSet };
    }
  } catch (failure) {
    const refused = callersError(failure);
    if (!refused) throw failure;
    error = refused;
  }
  const ended = await endJob(services, job.id, {
    state: error ? 'failed' : state,
    ...(result ? { result } : {}),
    ...(error ? { error } : {}),
  }, now);
  return ended?.state ?? state;
}
