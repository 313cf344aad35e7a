import { describe, expect, it } from 'vitest';
import { reusableOutputs } from '../../../shared/pipelines/reuse.js';
import type { RunView, StepRecord } from '../../../shared/pipelines/runs.js';
import { PipelineSpecSchema, type PipelineSpec } from '../../../shared/pipelines/spec.js';

const spec = (gateMs: number, extra: object[] = []): PipelineSpec =>
  PipelineSpecSchema.parse({
    name: 'etl',
    steps: [
      { id: 'extract', uses: 'noop' },
      { id: 'side', uses: 'noop' },
      { id: 'gate', uses: 'sleep', with: { ms: gateMs }, dependsOn: ['extract'] },
      { id: 'load', uses: 'noop', dependsOn: ['gate', 'side'] },
      ...extra,
    ],
  });

const step = (state: StepRecord['state'], outputs?: Record<string, unknown>): StepRecord => ({ state, attempts: 1, lineage: { read: [], wrote: [] }, ...(outputs ? { outputs } : {}) });

const previous = {
  runId: 'r1',
  pipeline: 'etl',
  version: 1,
  params: {},
  state: 'failed',
  trigger: 'manual',
  createdAt: '2026-12-01T00:00:00.000Z',
  steps: { extract: step('succeeded', { n: 1 }), side: step('cached', { n: 2 }), gate: step('succeeded', { n: 3 }), load: step('failed') },
} as RunView;

describe('what a retry reuses', () => {
  it('reuses every step that succeeded, on the same spec', () => {
    expect(reusableOutputs(previous, spec(10), spec(10))).toEqual({ extract: { n: 1 }, side: { n: 2 }, gate: { n: 3 } });
  });

  it('runs a changed step again, and every step downstream of it', () => {
    expect(reusableOutputs(previous, spec(10), spec(20))).toEqual({ extract: { n: 1 }, side: { n: 2 } });
  });

  it('runs a step again when its dependencies change, and a step new to the spec', () => {
    const rewired = PipelineSpecSchema.parse({ ...spec(10), steps: spec(10).steps.map((s) => (s.id === 'gate' ? { ...s, dependsOn: ['side'] } : s)) });
    expect(Object.keys(reusableOutputs(previous, spec(10), rewired)).sort()).toEqual(['extract', 'side']);
    expect(Object.keys(reusableOutputs(previous, spec(10), spec(10, [{ id: 'fresh', uses: 'noop' }]))).sort()).toEqual(['extract', 'gate', 'side']);
  });

  it('reuses nothing without the previous run or its spec', () => {
    expect(reusableOutputs(undefined, spec(10), spec(10))).toEqual({});
    expect(reusableOutputs(previous, undefined, spec(10))).toEqual({});
  });
});
