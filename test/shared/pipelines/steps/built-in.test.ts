import { describe, expect, it } from 'vitest';
import { builtInStepTypes } from '../../../../shared/pipelines/steps/index.js';

describe("the engine's built-in step types", () => {
  it('are the generic ones only, each under the name it declares, with a description', () => {
    expect([...builtInStepTypes.keys()].sort()).toEqual(['blob.extract', 'blob.load', 'duckdb.sql', 'http.call', 'noop', 'sleep']);
    for (const [name, stepType] of builtInStepTypes) {
      expect(stepType.name).toBe(name);
      expect(stepType.description.length).toBeGreaterThan(10);
    }
  });

  it('accept an empty `with` only where every field is optional', () => {
    const acceptsEmpty = [...builtInStepTypes].filter(([, stepType]) => stepType.input.safeParse({}).success).map(([name]) => name);
    expect(acceptsEmpty).toEqual(['noop']);
  });
});
