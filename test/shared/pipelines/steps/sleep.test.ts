import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../../../shared/pipelines/step-type.js';
import { sleepStep } from '../../../../shared/pipelines/steps/sleep.js';
import type { Services } from '../../../../shared/platform/services.js';

function stepContext(signal: AbortSignal): StepContext {
  return { services: {} as Services, runId: 'run', stepId: 'sleep', attempt: 1, signal, lineage: { read: () => {}, wrote: () => {} } };
}

describe('sleep', () => {
  it('waits the time asked for', async () => {
    const started = performance.now();
    expect(await sleepStep.run(sleepStep.input.parse({ ms: 50 }), stepContext(new AbortController().signal))).toEqual({ sleptMs: 50 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });

  it('rejects with the abort reason as soon as the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('step "sleep" timed out after 1 s');
    setTimeout(() => controller.abort(reason), 50);
    const started = performance.now();
    await expect(sleepStep.run({ ms: 600_000 }, stepContext(controller.signal))).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(1_000);
    // Already aborted: does not start at all.
    await expect(sleepStep.run({ ms: 10 }, stepContext(controller.signal))).rejects.toBe(reason);
  });

  it('leaves no listener on the signal once it has slept', async () => {
    const controller = new AbortController();
    await sleepStep.run({ ms: 1 }, stepContext(controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('rejects ms out of range', () => {
    expect(sleepStep.input.safeParse({ ms: -1 }).success).toBe(false);
    expect(sleepStep.input.safeParse({ ms: 600_001 }).success).toBe(false);
    expect(sleepStep.input.safeParse({ ms: 1.5 }).success).toBe(false);
    expect(sleepStep.input.safeParse({}).success).toBe(false);
    expect(sleepStep.input.safeParse({ ms: 600_000 }).success).toBe(true);
  });
});
