import { describe, expect, it } from 'vitest';
import type { StepContext } from '../../../../shared/pipelines/step-type.js';
import { noopStep } from '../../../../shared/pipelines/steps/noop.js';
import type { Services } from '../../../../shared/platform/services.js';

const context: StepContext = {
  services: {} as Services,
  runId: 'run',
  stepId: 'noop',
  attempt: 1,
  signal: new AbortController().signal,
  lineage: { read: () => {}, wrote: () => {} },
};

describe('noop', () => {
  it('returns ok, plus what it is asked to echo', async () => {
    expect(await noopStep.run(noopStep.input.parse({}), context)).toEqual({ ok: true });
    expect(await noopStep.run(noopStep.input.parse({ echo: { rows: 3, tag: 'x' } }), context)).toEqual({ ok: true, rows: 3, tag: 'x' });
  });

  it('rejects a bad `with`', () => {
    expect(noopStep.input.safeParse({ echo: 'text' }).success).toBe(false);
    expect(noopStep.input.safeParse({ echo: [1] }).success).toBe(false);
    expect(noopStep.input.safeParse({ other: 1 }).success).toBe(false);
  });
});
