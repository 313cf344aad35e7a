import type { JsonObject, MessageInitShape } from '@bufbuild/protobuf';
import { createContextKey, type ServiceImpl } from '@connectrpc/connect';
import type { DurableClient } from 'durable-functions';
import { ArborError, NotFoundError } from '../platform/errors.js';
import { PipelineService, type RunSchema } from '../platform/generated/arbor/pipelines/v1/pipeline_service_pb.js';
import { serverStreamRpc, structOf, unaryRpc, validBody, validField } from '../platform/rpc.js';
import { getServices, type Services } from '../platform/services.js';
import { pipelineNameParam, runIdParam, startRunBody } from './http-schemas.js';
import { getPipeline } from './registry.js';
import { startRun } from './run-service.js';
import { getRun, withPendingSteps, type RunView } from './runs.js';

/**
 * PipelineService (proto/arbor/pipelines/v1) over the run service the HTTP functions use.
 * Starting a run needs a durable client, which only the host hands out: the Function App's
 * RPC route gets one from its binding, the local gRPC server from the local host; each puts it
 * in the call's context values under `runStarterKey`.
 */
export const runStarterKey = createContextKey<Pick<DurableClient, 'startNew'> | undefined>(undefined, { description: 'durable client' });

/** How often WatchRun reads the run record; transitions shorter than this between reads are reported by their end state. */
export const watchIntervalMs = 250;
const endedStates = new Set(['succeeded', 'failed', 'cancelled']);

async function runView(services: Services, runId: string): Promise<RunView> {
  const recorded = await getRun(services, runId);
  if (!recorded) throw new NotFoundError('run', runId);
  const pipeline = await getPipeline(services, recorded.pipeline, recorded.version);
  return withPendingSteps(recorded, pipeline?.spec);
}

function runMessage(run: RunView): MessageInitShape<typeof RunSchema> {
  return {
    runId: run.runId,
    pipeline: run.pipeline,
    version: run.version,
    state: run.state,
    trigger: run.trigger,
    createdAt: run.createdAt,
    startedAt: run.startedAt ?? '',
    endedAt: run.endedAt ?? '',
    params: structOf(run.params) as JsonObject,
    steps: Object.entries(run.steps).map(([id, step]) => ({
      id,
      state: step.state,
      attempts: step.attempts,
      startedAt: step.startedAt ?? '',
      endedAt: step.endedAt ?? '',
      error: step.error ?? '',
      ...(step.outputs ? { outputs: structOf(step.outputs) as JsonObject } : {}),
    })),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

export const pipelineServiceImpl: ServiceImpl<typeof PipelineService> = {
  startRun: unaryRpc(async (request, context) => {
    const pipeline = validField('pipeline', pipelineNameParam, request.pipeline);
    const { params } = validBody(startRunBody, request.params ? { params: request.params } : {});
    const client = context.values.get(runStarterKey);
    if (!client) throw new ArborError(503, 'durable_client_unavailable', 'this server has no durable client to start runs with; call the Function App\'s RPC route');
    const run = await startRun(getServices(), client, { pipeline, params, trigger: 'manual', now: new Date() });
    return { runId: run.runId };
  }),

  getRun: unaryRpc(async (request) => {
    const run = await runView(getServices(), validField('run_id', runIdParam, request.runId));
    return { run: runMessage(run) };
  }),

  watchRun: serverStreamRpc(async function* (request, context) {
    const services = getServices();
    const runId = validField('run_id', runIdParam, request.runId);
    let run = await runView(services, runId);
    yield { event: { case: 'snapshot' as const, value: runMessage(run) } };
    const seen = new Map(Object.entries(run.steps).map(([id, step]) => [id, step.state as string]));
    while (!endedStates.has(run.state)) {
      await sleep(watchIntervalMs, context.signal);
      run = await runView(services, runId);
      for (const [id, step] of Object.entries(run.steps)) {
        const before = seen.get(id);
        if (before === step.state) continue;
        seen.set(id, step.state);
        yield { event: { case: 'step' as const, value: { stepId: id, fromState: before ?? '', toState: step.state, error: step.error ?? '' } } };
      }
    }
    yield { event: { case: 'ended' as const, value: runMessage(run) } };
  }),
};
