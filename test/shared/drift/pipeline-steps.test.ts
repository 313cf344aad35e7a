import { describe, expect, it } from 'vitest';
import { driftRunStep, driftStepTypes } from '../../../shared/drift/pipeline-steps.js';

describe("drift's step types", () => {
  it('are drift.run, described', () => {
    expect(driftStepTypes.map((stepType) => stepType.name)).toEqual(['drift.run']);
    expect(driftRunStep.description.length).toBeGreaterThan(10);
  });

  it('drift.run takes a view, a reference and a current window, and names what is wrong', () => {
    expect(driftRunStep.input.safeParse({ view: 'driver_stats', reference: { profile: 'baseline' }, current: { lastHours: 24 } }).success).toBe(true);
    const fieldsOf = (input: unknown) => driftRunStep.input.safeParse(input).error?.issues.map((issue) => issue.path.join('.'));
    expect(fieldsOf({ view: 'driver_stats', reference: { profile: 'baseline' } })).toEqual(['current']);
    expect(fieldsOf({ view: 'driver_stats', reference: { profile: 'baseline' }, current: { lastHours: 24 }, tests: { trips: { test: 'magic' } } })).toEqual(['tests.trips.test']);
  });
});
