import { randomBytes } from 'node:crypto';
import type { DurableClient } from 'durable-functions';
import { ConflictError, NotFoundError, ValidationError } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { resolveRunParams } from './params.js';
import { getPipeline } from './registry.js';
import { orchestratorNames, type LoadedRun, type LoadRunRequest, type PipelineRunInput } from './run-contract.js';
import { signalRun, type RunSignaller } from './run-signal.js';
import { reusableOutputs } from './reuse.js';
import { createRun, getRun, getRunDocument, updateRun, type RunDocument, type RunView } from './runs.js';

type RunStarter = Pick<DurableClient, 'startNew'>;

export function newRunId(pipeline: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${pipeline}-${stamp}-${randomBytes(3).toString('hex')}`;
}

/**
 * Starts a run of a pipeline's latest version: params checked, the run recorded, then its
 * orchestration started with the run id as instance id. A run that could not start is
 * recorded as failed rather than left pending.
 */
export async function startRun(
  services: Services,
  client: RunStarter,
  request: {
    pipeline: string;
    params: Record<string, unknown>;
    trigger: RunDocument['trigger'];
    now: Date;
    runId?: string;
    version?: number;
    retryOf?: string;
  },
): Promise<RunDocument> {
  const stored = await getPipeline(services, request.pipeline, request.version);
  if (!stored) throw new NotFoundError('pipeline', request.pipeline);
  const resolved = resolveRunParams(stored.spec.params, request.params);
  if (!resolved.ok) throw new ValidationError(resolved.problems);
  const runId = request.runId ?? newRunId(stored.name, request.now);
  const run = await createRun(services, {
    runId,
    pipeline: stored.name,
    version: stored.version,
    params: resolved.params,
    state: 'pending',
    trigger: request.trigger,
    createdAt: request.now.toISOString(),
    ...(request.retryOf ? { retryOf: request.retryOf } : {}),
  });
  const input: PipelineRunInput = { runId };
  try {
    await client.startNew(orchestratorNames.run, { instanceId: runId, input });
  } catch (error) {
    await updateRun(services, runId, { state: 'failed', endedAt: new Date().toISOString() });
    throw error;
  }
  return run;
}

/** Asks a run to stop scheduling steps; running steps finish, pending ones are skipped. */
export async function cancelRun(services: Services, client: RunSignaller, runId: string, now: Date): Promise<RunDocument> {
  const run = await getRunDocument(services, runId);
  if (!run) throw new NotFoundError('run', runId);
  if (run.state !== 'running' && run.state !== 'pending') {
    throw new ConflictError(`run "${runId}" is ${run.state}; only a pending or running run can be cancelled`, [{ field: 'state', problem: `is ${run.state}` }]);
  }
  await signalRun(client, runId, { kind: 'cancel' });
  await updateRun(services, runId, { cancelRequestedAt: now.toISOString() });
  return { ...run, cancelRequestedAt: now.toISOString() };
}

/**
 * Runs a failed or cancelled run again as a new run with the same params, of the same spec
 * version or (`latest`) of the newest one, reusing the outputs of every step that succeeded and
 * did not change (they are marked cached when it loads; see reuse.ts).
 */
export async function retryRun(services: Services, client: RunStarter, runId: string, now: Date, options: { latest?: boolean } = {}): Promise<RunDocument> {
  const original = await getRun(services, runId);
  if (!original) throw new NotFoundError('run', runId);
  if (original.state !== 'failed' && original.state !== 'cancelled') {
    throw new ConflictError(`run "${runId}" is ${original.state}; only a failed or cancelled run can be retried`, [{ field: 'state', problem: `is ${original.state}` }]);
  }
  return startRun(services, client, {
    pipeline: original.pipeline,
    ...(options.latest ? {} : { version: original.version }),
    params: original.params,
    trigger: 'retry',
    now,
    retryOf: runId,
  });
}

/** An orchestration asked to execute a run that the records do not back. */
export class RunRefusedError extends Error {
  constructor(runId: string, reason: string) {
    super(`run "${runId}" cannot be executed: ${reason}`);
    this.name = 'RunRefusedError';
  }
}

/**
 * What a run's orchestration executes, from the records only: the registered spec of the
 * version the run was started with, its checked params, and (for a retry) the outputs of the
 * steps that succeeded in the run it retries. An orchestration started with any other input
 * through the durable API executes nothing: a run that was never recorded, or is not in the
 * state its execution expects (pending for the first, running for one continued as new), is
 * refused before a step is scheduled or a record written.
 */
export async function loadRunForExecution(services: Services, request: LoadRunRequest): Promise<LoadedRun> {
  const run = await getRunDocument(services, request.runId);
  if (!run) throw new RunRefusedError(request.runId, 'it was never started by start-run (no run record)');
  const expected = request.continued ? 'running' : 'pending';
  if (run.state !== expected) throw new RunRefusedError(request.runId, `it is ${run.state}; this execution needs it ${expected}`);
  const stored = await getPipeline(services, run.pipeline, run.version);
  if (!stored) throw new RunRefusedError(request.runId, `pipeline "${run.pipeline}" version ${run.version} is not registered`);
  const retried = run.retryOf ? await getRun(services, run.retryOf) : undefined;
  const retriedSpec = retried ? (retried.version === stored.version ? stored : await getPipeline(services, retried.pipeline, retried.version)) : undefined;
  const reuse = reusableOutputs(retried, retriedSpec?.spec, stored.spec);
  return { spec: stored.spec, params: run.params, reuse };
}
