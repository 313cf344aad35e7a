import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/platform/errors.js';
import { admitSpec } from '../../../shared/pipelines/registry.js';
import { knownStepTypes, registerStepType } from '../../../shared/pipelines/step-registry.js';
import { builtInStepTypes } from '../../../shared/pipelines/steps/index.js';

function problemsOf(spec: unknown): Array<{ field: string; problem: string }> {
  try {
    admitSpec(spec);
  } catch (error) {
    if (error instanceof ValidationError) return error.details as Array<{ field: string; problem: string }>;
    throw error;
  }
  return [];
}

const extract = (extra: Record<string, unknown>) => ({
  id: 'extract',
  uses: 'blob.extract',
  with: { container: 'landing', prefix: '${{ params.prefix }}', format: 'csv', columns: { id: 'BIGINT' }, ...extra },
});

describe('registration checks what it can of every step now', () => {
  beforeAll(() => {
    for (const stepType of builtInStepTypes.values()) if (!knownStepTypes().has(stepType.name)) registerStepType(stepType);
  });

  it('admits a spec whose expression-valued parts are otherwise right', () => {
    expect(problemsOf({ name: 'etl', params: { prefix: { type: 'string' } }, steps: [extract({})] })).toEqual([]);
  });

  it('refuses a misspelt field and a bad literal beside an expression', () => {
    const problems = problemsOf({
      name: 'etl',
      params: { prefix: { type: 'string' }, table: { type: 'string' } },
      steps: [
        { ...extract({}), with: { ...extract({}).with, formt: 'csv', format: undefined } },
        { id: 'sql', uses: 'duckdb.sql', dependsOn: ['extract'], with: { inputs: { t: { container: 'raw', blob: '${{ params.table }}' } }, sql: 'SELECT 1; SELECT 2' } },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ field: 'steps[0].with', problem: expect.stringContaining('formt') }),
        expect.objectContaining({ field: 'steps[0].with.format' }),
        expect.objectContaining({ field: 'steps[1].with.sql' }),
      ]),
    );
    // The expression-valued blob name is not judged before its value is known.
    expect(problems.map((p) => p.field)).not.toContain('steps[1].with.inputs.t.blob');
  });

  it('reports a step input problem together with a spec problem elsewhere', () => {
    const problems = problemsOf({
      name: 'etl',
      params: { prefix: { type: 'string' } },
      steps: [{ ...extract({}), with: { ...extract({}).with, formt: 'csv' } }, { id: 'after', uses: 'noop', depends_on: ['extract'] }],
    });
    expect(problems.map((p) => p.field).sort()).toEqual(['steps[0].with', 'steps[1].depends_on']);
  });

  it('leaves the problems at an expression for the run, where its value is known', () => {
    const spec = { name: 'etl', params: { ms: { type: 'number' } }, steps: [{ id: 'wait', uses: 'sleep', with: { ms: '${{ params.ms }}' } }] };
    expect(problemsOf(spec)).toEqual([]);
    expect(problemsOf({ ...spec, steps: [{ id: 'wait', uses: 'sleep', with: { ms: 'soon' } }] })).toEqual([expect.objectContaining({ field: 'steps[0].with.ms' })]);
  });
});
