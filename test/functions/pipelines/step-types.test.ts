import { describe, expect, it } from 'vitest';
import '../../../functions/pipelines/step-types.js';
import { driftRunStep } from '../../../shared/drift/pipeline-steps.js';
import { featuresMaterializeStep } from '../../../shared/features/pipeline-steps.js';
import { knownStepTypes, stepTypeNamed } from '../../../shared/pipelines/step-registry.js';
import { builtInStepTypes } from '../../../shared/pipelines/steps/index.js';
import { modelTrainStep } from '../../../shared/serving/pipeline-steps.js';

describe('the composition root', () => {
  it("registers the engine's built-ins and every capability's step types, once each", () => {
    expect([...knownStepTypes()].sort()).toEqual(['blob.extract', 'blob.load', 'drift.run', 'duckdb.sql', 'features.materialize', 'http.call', 'model.train', 'noop', 'sleep']);
    expect(stepTypeNamed('features.materialize')).toBe(featuresMaterializeStep);
    expect(stepTypeNamed('drift.run')).toBe(driftRunStep);
    expect(stepTypeNamed('model.train')).toBe(modelTrainStep);
    expect(stepTypeNamed('noop')).toBe(builtInStepTypes.get('noop'));
  });
});
