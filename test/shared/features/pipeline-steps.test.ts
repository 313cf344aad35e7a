import { describe, expect, it } from 'vitest';
import { featureStepTypes, featuresMaterializeStep } from '../../../shared/features/pipeline-steps.js';

describe("the feature store's step types", () => {
  it('are features.materialize, described', () => {
    expect(featureStepTypes.map((stepType) => stepType.name)).toEqual(['features.materialize']);
    expect(featuresMaterializeStep.description.length).toBeGreaterThan(10);
  });

  it('features.materialize takes a view and an optional window, and names what is wrong', () => {
    expect(featuresMaterializeStep.input.safeParse({ view: 'driver_stats' }).success).toBe(true);
    expect(featuresMaterializeStep.input.safeParse({ view: 'driver_stats', start: '2024-01-01T00:00:00Z', end: '2024-01-02T00:00:00Z' }).success).toBe(true);
    const issuesOf = (input: unknown) => featuresMaterializeStep.input.safeParse(input).error?.issues.map((issue) => ({ path: issue.path.join('.'), code: issue.code }));
    expect(issuesOf({})).toEqual([{ path: 'view', code: 'invalid_type' }]);
    expect(issuesOf({ view: 'driver_stats', start: 'yesterday' })).toEqual([{ path: 'start', code: expect.any(String) }]);
    expect(issuesOf({ view: 'driver_stats', limit: 5 })).toEqual([{ path: '', code: 'unrecognized_keys' }]);
  });
});
