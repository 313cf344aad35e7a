import { describe, expect, it } from 'vitest';
import { createSchedule, findCycles } from '../../../shared/pipelines/dag.js';

/** Survivors of the pipelines-dag mutation run (docs/testing.md). */
describe('findCycles', () => {
  it('reports two cycles through one step whose index lists would read alike without a separator', () => {
    // s1 -> s2 -> s3 -> s1 and s1 -> s23 -> s1: indexes [1, 2, 3] and [1, 23], "123" both if joined bare.
    const steps = Array.from({ length: 24 }, (_, i) => ({ id: `s${i}`, dependsOn: [] as string[] }));
    steps[1]!.dependsOn = ['s2', 's23'];
    steps[2]!.dependsOn = ['s3'];
    steps[3]!.dependsOn = ['s1'];
    steps[23]!.dependsOn = ['s1'];
    expect(findCycles({ steps })).toEqual([
      ['s1', 's2', 's3', 's1'],
      ['s1', 's23', 's1'],
    ]);
  });
});

describe('createSchedule', () => {
  it('refuses a step that depends on itself or on a step that does not exist, as validation would', () => {
    expect(() => createSchedule({ steps: [{ id: 'a', dependsOn: ['a'] }] })).toThrow('step "a" depends on "a", which it cannot; validate the pipeline first');
    expect(() => createSchedule({ steps: [{ id: 'a' }, { id: 'b', dependsOn: ['c'] }] })).toThrow('step "b" depends on "c", which it cannot');
  });
});
