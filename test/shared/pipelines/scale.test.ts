import { describe, expect, it } from 'vitest';
import { complete, createSchedule, isFinished, ready, topologicalOrder } from '../../../shared/pipelines/dag.js';
import type { PipelineSpecInput } from '../../../shared/pipelines/spec.js';
import { validatePipeline } from '../../../shared/pipelines/validate.js';

const N = 5000;
const known = new Set(['noop']);

function chain(): PipelineSpecInput {
  return {
    name: 'chain',
    steps: Array.from({ length: N }, (_, i) => ({
      id: `s${i}`,
      uses: 'noop',
      dependsOn: i === 0 ? [] : [`s${i - 1}`],
      // Refers two steps back, so the check must look past direct dependencies.
      with: i < 2 ? {} : { input: `\${{ steps.s${i - 2}.outputs.rows }}` },
    })),
  };
}

function wide(): PipelineSpecInput {
  return {
    name: 'wide',
    maxParallel: 256,
    steps: [
      { id: 'root', uses: 'noop' },
      ...Array.from({ length: N - 2 }, (_, i) => ({
        id: `w${i}`,
        uses: 'noop',
        dependsOn: ['root'],
        with: { from: '${{ steps.root.outputs.x }}' },
      })),
      { id: 'sink', uses: 'noop', dependsOn: Array.from({ length: N - 2 }, (_, i) => `w${i}`) },
    ],
  };
}

describe('5,000-step pipelines', () => {
  it('validates and schedules a chain', () => {
    const result = validatePipeline(chain(), known);
    if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));
    expect(topologicalOrder(result.spec)).toHaveLength(N);

    const state = createSchedule(result.spec);
    const started: string[][] = [];
    while (!isFinished(state)) {
      const batch = ready(state);
      started.push(batch);
      for (const id of batch) complete(state, id, 'succeeded');
    }
    // A chain runs one step at a time, in order.
    expect(started.map((batch) => batch.join())).toEqual(Array.from({ length: N }, (_, i) => `s${i}`));
  });

  it('reports a cycle closing a long chain without overflowing the stack', () => {
    const spec = chain();
    spec.steps[0]!.dependsOn = [`s${N - 1}`];
    const result = validatePipeline(spec, known);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]!.problem).toMatch(/^dependency cycle: s0 -> s4999 -> s4998 -> .* -> s1 -> s0$/);
  });

  it('validates and schedules a wide fan-out and fan-in', () => {
    const result = validatePipeline(wide(), known);
    if (!result.ok) throw new Error(JSON.stringify(result.problems.slice(0, 3)));

    const state = createSchedule(result.spec);
    expect(ready(state)).toEqual(['root']);
    complete(state, 'root', 'succeeded');
    let started = 0;
    while (!isFinished(state)) {
      const batch = ready(state);
      expect(state.running).toBeLessThanOrEqual(256);
      started += batch.length;
      // Finish the oldest running steps first, half a batch at a time.
      const running = state.steps.filter((_, i) => state.status[i] === 'running').slice(0, 128);
      for (const id of running) complete(state, id, 'succeeded');
    }
    expect(started).toBe(N - 1);
    expect(state.status.every((s) => s === 'succeeded')).toBe(true);
  });

  it('fails a whole fan-out at once when its root fails', () => {
    const result = validatePipeline(wide(), known);
    if (!result.ok) throw new Error('expected a valid spec');
    const state = createSchedule(result.spec);
    ready(state);
    expect(complete(state, 'root', 'failed')).toHaveLength(N - 1);
    expect(isFinished(state)).toBe(true);
  });
});
