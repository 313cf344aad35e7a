import type { BlobRef } from '../storage/blob-files.js';
import { messageOf } from '../platform/errors.js';
import type { Services } from '../platform/services.js';
import { zodDetails } from '../platform/validation-errors.js';
import { pipelineStepDuration, pipelineSteps, pipelineStepsInFlight } from './metrics.js';
import { putStep, readStep, type StepRecord } from './runs.js';
import type { StepInvocation } from './run-contract.js';
import { isPermanent, PermanentStepError } from './step-errors.js';
import { stepTypeNamed } from './step-registry.js';
import type { StepContext } from './step-type.js';

/** Outputs travel through Durable histories: anything bigger belongs in blob storage. */
export const maxOutputBytes = 16 * 1024;

export class StepTimeoutError extends Error {
  override name = 'StepTimeoutError';
}

/** A failed attempt; `finalAttempt` says whether the retry policy has attempts left. */
export class StepFailedError extends Error {
  override name = 'StepFailedError';
  constructor(
    message: string,
    readonly finalAttempt: boolean,
  ) {
    super(message);
  }
}

/**
 * One attempt of one step: records the attempt, runs the step type with its timeout, and
 * records the outcome and lineage. Throws on failure so Durable's retry policy applies.
 */
export async function executeStep(services: Services, invocation: StepInvocation, now: () => Date = () => new Date()): Promise<Record<string, unknown>> {
  const { runId, stepId } = invocation;
  const previous = await readStep(services, runId, stepId);
  // A retry Durable scheduled before the step failed for good (a permanent error ends the step
  // at once and tells the run) finds it failed: it changes nothing.
  if (previous?.state === 'failed') throw new StepFailedError(previous.error ?? 'the step failed', true);
  const attempt = (previous?.attempts ?? 0) + 1;
  const maxAttempts = invocation.retry?.attempts ?? 1;
  const record: StepRecord = {
    state: 'running',
    attempts: attempt,
    startedAt: previous?.startedAt ?? now().toISOString(),
    lineage: { read: [], wrote: [] },
  };
  await putStep(services, runId, stepId, record);

  const lineage = { read: [] as BlobRef[], wrote: [] as BlobRef[] };
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  pipelineSteps.inc({ uses: invocation.uses, event: 'started' });
  pipelineStepsInFlight.inc();
  try {
    const stepType = stepTypeNamed(invocation.uses);
    if (!stepType) throw new PermanentStepError(`step type "${invocation.uses}" is not registered`);
    const parsed = stepType.input.safeParse(invocation.with);
    if (!parsed.success) {
      throw new PermanentStepError(`invalid "with": ${zodDetails(parsed.error.issues).map((d) => `${d.field}: ${d.problem}`).join('; ')}`);
    }
    const context: StepContext = {
      services,
      runId,
      stepId,
      attempt,
      signal: controller.signal,
      lineage: { read: (blob) => lineage.read.push(blob), wrote: (blob) => lineage.wrote.push(blob) },
    };
    // A step that names no timeout still gets one: a hung call must not hold a run forever.
    const timeoutSeconds = invocation.timeoutSeconds ?? services.settings.ARBOR_STEP_DEFAULT_TIMEOUT_SECONDS;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new StepTimeoutError(`step "${stepId}" timed out after ${timeoutSeconds} s`);
        controller.abort(error);
        reject(error);
      }, timeoutSeconds * 1000);
    });
    const outputs = await Promise.race([stepType.run(parsed.data, context), timeout]);
    const size = Buffer.byteLength(JSON.stringify(outputs ?? {}));
    if (size > maxOutputBytes) {
      throw new PermanentStepError(`step outputs are ${size} bytes; keep them under ${maxOutputBytes} and put large data in blob storage`);
    }
    await putStep(services, runId, stepId, { ...record, state: 'succeeded', endedAt: now().toISOString(), outputs, lineage });
    pipelineSteps.inc({ uses: invocation.uses, event: 'succeeded' });
    return outputs;
  } catch (error) {
    // An error the same input would raise again ends the step now, whatever attempts are left.
    const permanent = isPermanent(error);
    const final = attempt >= maxAttempts || permanent;
    const message = permanent && attempt < maxAttempts ? `${messageOf(error)} (not retried: the same input fails the same way)` : messageOf(error);
    // Between attempts the step stays running; its record keeps the last attempt's error.
    await putStep(services, runId, stepId, { ...record, state: final ? 'failed' : 'running', error: message, lineage, ...(final ? { endedAt: now().toISOString() } : {}) });
    pipelineSteps.inc({ uses: invocation.uses, event: 'failed' });
    throw new StepFailedError(message, final);
  } finally {
    clearTimeout(timer);
    pipelineStepsInFlight.dec();
    pipelineStepDuration.observe({ uses: invocation.uses }, (performance.now() - started) / 1000);
  }
}
