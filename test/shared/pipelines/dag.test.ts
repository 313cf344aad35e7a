import { describe, expect, it } from 'vitest';
import {
  cancel,
  complete,
  createSchedule,
  downstreamOf,
  findCycles,
  isFinished,
  ready,
  stateOf,
  stepStates,
  topologicalOrder,
  upstreamOf,
  type DagSpec,
  type ScheduleState,
} from '../../../shared/pipelines/dag.js';

const diamond: DagSpec = {
  steps: [
    { id: 'a' },
    { id: 'b', dependsOn: ['a'] },
    { id: 'c', dependsOn: ['a'] },
    { id: 'd', dependsOn: ['b', 'c'] },
  ],
};

/** Runs a schedule to the end, completing steps in the order they were started. */
function drain(state: ScheduleState, outcomeOf: (id: string) => 'succeeded' | 'failed' = () => 'succeeded'): string[][] {
  const waves: string[][] = [];
  const running: string[] = [];
  while (!isFinished(state)) {
    const started = ready(state);
    if (started.length > 0) waves.push(started);
    running.push(...started);
    const next = running.shift();
    if (next === undefined) throw new Error('schedule is stuck');
    complete(state, next, outcomeOf(next));
  }
  return waves;
}

describe('graph helpers', () => {
  it('orders steps after their dependencies, keeping spec order where free', () => {
    expect(topologicalOrder(diamond)).toEqual(['a', 'b', 'c', 'd']);
    const reversed: DagSpec = { steps: [...diamond.steps].reverse() };
    expect(topologicalOrder(reversed)).toEqual(['a', 'c', 'b', 'd']);
  });

  it('finds transitive upstream and downstream steps in spec order', () => {
    const spec: DagSpec = {
      steps: [
        { id: 'a' },
        { id: 'b', dependsOn: ['a'] },
        { id: 'x' },
        { id: 'c', dependsOn: ['b', 'x'] },
        { id: 'd', dependsOn: ['c'] },
      ],
    };
    expect(upstreamOf(spec, 'd')).toEqual(['a', 'b', 'x', 'c']);
    expect(upstreamOf(spec, 'a')).toEqual([]);
    expect(downstreamOf(spec, 'a')).toEqual(['b', 'c', 'd']);
    expect(downstreamOf(spec, 'x')).toEqual(['c', 'd']);
    expect(() => upstreamOf(spec, 'nope')).toThrow('pipeline has no step "nope"');
  });

  it('spells each cycle from the step first in the spec, following dependsOn', () => {
    const spec: DagSpec = {
      steps: [
        { id: 'a', dependsOn: ['b'] },
        { id: 'b', dependsOn: ['c'] },
        { id: 'c', dependsOn: ['a'] },
        { id: 'p', dependsOn: ['q'] },
        { id: 'q', dependsOn: ['p'] },
      ],
    };
    expect(findCycles(spec)).toEqual([
      ['a', 'b', 'c', 'a'],
      ['p', 'q', 'p'],
    ]);
    expect(findCycles(diamond)).toEqual([]);
    expect(() => topologicalOrder(spec)).toThrow('a -> b -> c -> a');
  });
});

describe('scheduler', () => {
  it('starts a diamond as dependencies finish, in spec order', () => {
    const state = createSchedule(diamond);
    expect(ready(state)).toEqual(['a']);
    expect(ready(state)).toEqual([]);
    complete(state, 'a', 'succeeded');
    expect(ready(state)).toEqual(['b', 'c']);
    complete(state, 'c', 'succeeded');
    expect(ready(state)).toEqual([]);
    expect(isFinished(state)).toBe(false);
    complete(state, 'b', 'succeeded');
    expect(ready(state)).toEqual(['d']);
    complete(state, 'd', 'succeeded');
    expect(isFinished(state)).toBe(true);
    expect(stepStates(state)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'succeeded' });
  });

  it('starts a step as soon as its own dependencies finish, not level by level', () => {
    const state = createSchedule({
      steps: [{ id: 'a' }, { id: 'slow', dependsOn: ['a'] }, { id: 'fast', dependsOn: ['a'] }, { id: 'after-fast', dependsOn: ['fast'] }],
    });
    ready(state);
    complete(state, 'a', 'succeeded');
    expect(ready(state)).toEqual(['slow', 'fast']);
    complete(state, 'fast', 'succeeded');
    expect(ready(state)).toEqual(['after-fast']);
    expect(stateOf(state, 'slow')).toBe('running');
  });

  it('never runs more than maxParallel steps at once', () => {
    const steps = Array.from({ length: 7 }, (_, i) => ({ id: `s${i}` }));
    const state = createSchedule({ steps, maxParallel: 3 });
    expect(ready(state)).toEqual(['s0', 's1', 's2']);
    expect(ready(state)).toEqual([]);
    complete(state, 's1', 'succeeded');
    expect(ready(state)).toEqual(['s3']);
    complete(state, 's0', 'failed');
    complete(state, 's2', 'cached');
    expect(ready(state)).toEqual(['s4', 's5']);
    expect(state.running).toBe(3);

    const waves = drain(createSchedule({ steps, maxParallel: 2 }));
    expect(waves.flat()).toEqual(steps.map((s) => s.id));
    expect(Math.max(...waves.map((w) => w.length))).toBe(2);
  });

  it('fails only the steps downstream of a failure; an independent branch still runs', () => {
    const state = createSchedule({
      steps: [
        { id: 'x' },
        { id: 'y', dependsOn: ['x'] },
        { id: 'z', dependsOn: ['y'] },
        { id: 'w' },
        { id: 'v', dependsOn: ['w'] },
        { id: 'join', dependsOn: ['z', 'v'] },
      ],
    });
    expect(ready(state)).toEqual(['x', 'w']);
    expect(complete(state, 'x', 'failed')).toEqual(['y', 'z', 'join']);
    expect(stepStates(state)).toEqual({
      x: 'failed',
      y: 'upstream_failed',
      z: 'upstream_failed',
      w: 'running',
      v: 'pending',
      join: 'upstream_failed',
    });
    expect(isFinished(state)).toBe(false);
    complete(state, 'w', 'succeeded');
    expect(ready(state)).toEqual(['v']);
    complete(state, 'v', 'succeeded');
    expect(ready(state)).toEqual([]);
    expect(isFinished(state)).toBe(true);
  });

  it('treats cached as done for dependents and shields them from later failures', () => {
    const state = createSchedule({
      steps: [{ id: 'a' }, { id: 'b', dependsOn: ['a'] }, { id: 'c', dependsOn: ['b'] }],
    });
    // A re-run knows b's result is cached before a has run again.
    complete(state, 'b', 'cached');
    expect(ready(state)).toEqual(['a', 'c']);
    expect(complete(state, 'a', 'failed')).toEqual([]);
    expect(stateOf(state, 'c')).toBe('running');
  });

  it('skips everything downstream of a skipped step', () => {
    const state = createSchedule(diamond);
    ready(state);
    expect(complete(state, 'a', 'skipped')).toEqual(['b', 'c', 'd']);
    expect(Object.values(stepStates(state))).toEqual(['skipped', 'skipped', 'skipped', 'skipped']);
    expect(isFinished(state)).toBe(true);
  });

  it('cancel skips pending steps and lets running ones finish', () => {
    const state = createSchedule(diamond);
    ready(state);
    complete(state, 'a', 'succeeded');
    ready(state);
    complete(state, 'b', 'succeeded');
    expect(cancel(state)).toEqual(['d']);
    expect(ready(state)).toEqual([]);
    expect(isFinished(state)).toBe(false);
    complete(state, 'c', 'succeeded');
    expect(ready(state)).toEqual([]);
    expect(isFinished(state)).toBe(true);
    expect(stepStates(state)).toEqual({ a: 'succeeded', b: 'succeeded', c: 'succeeded', d: 'skipped' });
  });

  it('refuses to end a step twice or an unknown step', () => {
    const state = createSchedule(diamond);
    ready(state);
    complete(state, 'a', 'succeeded');
    expect(() => complete(state, 'a', 'failed')).toThrow('step "a" has already ended (succeeded)');
    expect(() => complete(state, 'nope', 'failed')).toThrow('pipeline has no step "nope"');
  });

  it('keeps its state as plain JSON that can be carried and resumed', () => {
    const state = createSchedule(diamond);
    ready(state);
    complete(state, 'a', 'succeeded');
    const copy = JSON.parse(JSON.stringify(state)) as ScheduleState;
    expect(copy).toEqual(state);
    expect(ready(copy)).toEqual(['b', 'c']);
    complete(copy, 'b', 'succeeded');
    complete(copy, 'c', 'succeeded');
    expect(ready(copy)).toEqual(['d']);
  });

  it('refuses a spec that is not a valid DAG', () => {
    expect(() => createSchedule({ steps: [{ id: 'a' }, { id: 'a' }] })).toThrow('duplicate step ids');
    expect(() => createSchedule({ steps: [{ id: 'a', dependsOn: ['b'] }] })).toThrow('depends on "b"');
    expect(() =>
      createSchedule({ steps: [{ id: 'a', dependsOn: ['b'] }, { id: 'b', dependsOn: ['a'] }] }),
    ).toThrow('a -> b -> a');
  });

  it('is deterministic: the same spec and completions give the same starts', () => {
    const spec: DagSpec = {
      steps: Array.from({ length: 50 }, (_, i) => ({
        id: `s${i}`,
        dependsOn: i === 0 ? [] : [`s${Math.floor((i - 1) / 3)}`],
      })),
      maxParallel: 4,
    };
    expect(drain(createSchedule(spec))).toEqual(drain(createSchedule(spec)));
  });
});
