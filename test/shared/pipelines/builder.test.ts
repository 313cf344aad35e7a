import { describe, expect, it } from 'vitest';
import { pipeline, type PipelineBuilder } from '../../../shared/pipelines/builder.js';
import { outputRef, paramRef } from '../../../shared/pipelines/expressions.js';
import { validatePipeline } from '../../../shared/pipelines/validate.js';

describe('pipeline builder', () => {
  it('builds the plain JSON spec that validation admits', () => {
    const spec = pipeline('nightly-etl')
      .description('loads yesterday')
      .params({ day: { type: 'string', required: true } })
      .maxParallel(4)
      .schedule('0 */5 * * * *')
      .step('extract', 'blob.extract', { with: { day: paramRef('day') }, retry: { attempts: 3 }, timeoutSeconds: 60 })
      .step('load', 'blob.load', { dependsOn: ['extract'], with: { rows: outputRef('extract', 'rows') }, cache: true })
      .build();

    expect(spec).toEqual({
      name: 'nightly-etl',
      description: 'loads yesterday',
      params: { day: { type: 'string', required: true } },
      maxParallel: 4,
      schedule: '0 */5 * * * *',
      steps: [
        { id: 'extract', uses: 'blob.extract', with: { day: '${{ params.day }}' }, retry: { attempts: 3 }, timeoutSeconds: 60 },
        { id: 'load', uses: 'blob.load', dependsOn: ['extract'], with: { rows: '${{ steps.extract.outputs.rows }}' }, cache: true },
      ],
    });
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    expect(validatePipeline(spec, new Set(['blob.extract', 'blob.load'])).ok).toBe(true);
  });

  it('does not validate: that is validatePipeline', () => {
    const spec = pipeline('x').step('a', 'mystery').build();
    expect(spec).toEqual({ name: 'x', steps: [{ id: 'a', uses: 'mystery' }] });
    expect(validatePipeline(spec, new Set(['noop'])).ok).toBe(false);
  });

  it('returns specs that later builder calls do not change', () => {
    const builder = pipeline('x').step('a', 'noop');
    const first = builder.build();
    builder.step('b', 'noop', { dependsOn: ['a'] }).params({ p: { type: 'number' } });
    expect(first).toEqual({ name: 'x', steps: [{ id: 'a', uses: 'noop' }] });
    expect(builder.build().steps).toHaveLength(2);
  });

  it('only lets dependsOn name steps declared above', () => {
    pipeline('x')
      .step('a', 'noop')
      // @ts-expect-error "b" is not declared yet
      .step('c', 'noop', { dependsOn: ['b'] });
    // Ids made at run time are plain strings, and any string is then accepted.
    let dynamic: PipelineBuilder<string> = pipeline('wide');
    for (let i = 0; i < 3; i++) dynamic = dynamic.step(`s${i}`, 'noop', { dependsOn: i === 0 ? [] : [`s${i - 1}`] });
    expect(dynamic.build().steps.map((s) => s.dependsOn)).toEqual([[], ['s0'], ['s1']]);
  });
});
