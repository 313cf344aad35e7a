import { z } from 'zod';
import type { ArborClient } from '../../client/arbor-client.js';
import type { operations } from '../../client/api-types.js';

/** A pipeline spec as POST /api/pipelines takes it. */
export type PipelineSpec = operations['register-pipeline']['input']['body'];

/** A stage that could not do its work: the demo stops, printing this, with exit code 1. */
export class DemoError extends Error {}

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), details: z.array(z.object({ field: z.string(), problem: z.string() })).optional() }) });

/**
 * The body of an answer whose status is one of `statuses`, read through `schema` (the client's
 * types leave many bodies open; zod at the edge says what the demo relies on). Any other
 * answer is a DemoError carrying the API's code, message and fields.
 */
export function expectAnswer<T>(answer: { status: number; body: unknown }, statuses: readonly number[], what: string, schema: z.ZodType<T>): T {
  if (!statuses.includes(answer.status)) {
    const parsed = errorBody.safeParse(answer.body);
    const why = parsed.success
      ? `${parsed.data.error.code}: ${parsed.data.error.message}${(parsed.data.error.details ?? []).map((d) => `\n    ${d.field}: ${d.problem}`).join('')}`
      : JSON.stringify(answer.body)?.slice(0, 500);
    throw new DemoError(`${what} answered ${answer.status} ${why}`);
  }
  const parsed = schema.safeParse(answer.body);
  if (!parsed.success) throw new DemoError(`${what} answered an unexpected body: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` gives a value; a DemoError naming `what` after `timeoutMs`. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new DemoError(`${what}: not done within ${Math.round(timeoutMs / 1000)} s`);
    await sleep(intervalMs);
  }
}

const stepRecord = z.object({
  state: z.string(),
  attempts: z.number().optional(),
  startedAt: z.string().nullish(),
  endedAt: z.string().nullish(),
  error: z.string().nullish(),
  outputs: z.record(z.string(), z.unknown()).nullish(),
});
export const runRecord = z.object({ runId: z.string(), state: z.string(), steps: z.record(z.string(), stepRecord) });
export type RunRecord = z.infer<typeof runRecord>;

/** Registers a pipeline, starts it, and waits for its run to end (succeeded or not). */
export async function runPipeline(arbor: ArborClient, spec: PipelineSpec, timeoutMs: number, params?: Record<string, unknown>): Promise<RunRecord> {
  expectAnswer(await arbor.call('register-pipeline', { body: spec }), [200, 201], `POST /api/pipelines (${spec.name})`, z.unknown());
  const started = expectAnswer(
    await arbor.call('start-run', { params: { name: spec.name }, ...(params ? { body: { params } } : {}) }),
    [202],
    `POST /api/pipelines/${spec.name}/runs`,
    z.object({ runId: z.string() }),
  );
  return until(
    `run ${started.runId}`,
    async () => {
      const run = expectAnswer(await arbor.call('get-run', { params: { id: started.runId } }), [200], `GET /api/runs/${started.runId}`, runRecord);
      return ['pending', 'running'].includes(run.state) ? undefined : run;
    },
    timeoutMs,
    500,
  );
}

/** Each step's wall time from its record, in seconds. */
export function stepSeconds(step: RunRecord['steps'][string]): number | undefined {
  return step.startedAt && step.endedAt ? (Date.parse(step.endedAt) - Date.parse(step.startedAt)) / 1000 : undefined;
}

const jobRecord = z.object({ id: z.string(), state: z.string(), result: z.record(z.string(), z.unknown()).nullish(), error: z.object({ code: z.string(), message: z.string() }).nullish() });

/** Follows a job (202 from materialize or a training set) to its end; a DemoError when it fails. */
export async function jobResult(arbor: ArborClient, jobId: string, timeoutMs: number): Promise<Record<string, unknown>> {
  const job = await until(
    `job ${jobId}`,
    async () => {
      const read = expectAnswer(await arbor.call('get-job', { params: { id: jobId } }), [200], `GET /api/jobs/${jobId}`, jobRecord);
      return ['queued', 'running'].includes(read.state) ? undefined : read;
    },
    timeoutMs,
    500,
  );
  if (job.state !== 'succeeded' || !job.result) throw new DemoError(`job ${jobId} ended ${job.state}: ${job.error?.code ?? ''} ${job.error?.message ?? ''}`);
  return job.result;
}
