import { describe, expect, it } from 'vitest';
import {
  ExpressionError,
  findExpressions,
  outputRef,
  paramRef,
  resolveStepInputs,
  resolveValue,
  type ResolveContext,
} from '../../../shared/pipelines/expressions.js';

const context: ResolveContext = {
  params: { day: '2024-05-01', limit: 50, dryRun: false, filter: { region: 'eu' } },
  outputs: {
    extract: { rows: 1200, blob: { container: 'landing', path: 'a/b.parquet' }, files: ['x.csv', 'y.csv'] },
    train: { metrics: { auc: 0.91 } },
    empty: null,
  },
};

describe('findExpressions', () => {
  it('finds param and output references anywhere in a value, with their paths', () => {
    const found = findExpressions({
      a: '${{ params.day }}',
      b: [1, { c: 'pre ${{steps.extract.outputs.blob.path}} and ${{ steps.train.outputs }}' }],
      d: 'no expressions here',
    });
    expect(found).toEqual([
      { ok: true, at: ['a'], text: '${{ params.day }}', reference: { kind: 'param', name: 'day' } },
      {
        ok: true,
        at: ['b', 1, 'c'],
        text: '${{steps.extract.outputs.blob.path}}',
        reference: { kind: 'output', stepId: 'extract', path: ['blob', 'path'] },
      },
      {
        ok: true,
        at: ['b', 1, 'c'],
        text: '${{ steps.train.outputs }}',
        reference: { kind: 'output', stepId: 'train', path: [] },
      },
    ]);
  });

  it('reports malformed expressions and absurd nesting', () => {
    const found = findExpressions({ a: '${{ params }}', b: '${{ steps.x.output.y }}', c: '${{ steps.x.outputs..y }}' });
    expect(found.map((f) => f.ok)).toEqual([false, false, false]);
    let deep: unknown = 'leaf';
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(findExpressions(deep)).toEqual([
      expect.objectContaining({ ok: false, problem: 'is nested deeper than 64 levels' }),
    ]);
  });

  it('builds expressions that it parses back', () => {
    expect(paramRef('day')).toBe('${{ params.day }}');
    expect(outputRef('extract', 'blob.path')).toBe('${{ steps.extract.outputs.blob.path }}');
    expect(findExpressions([paramRef('day'), outputRef('extract')]).map((f) => f.ok && f.reference)).toEqual([
      { kind: 'param', name: 'day' },
      { kind: 'output', stepId: 'extract', path: [] },
    ]);
  });
});

describe('resolveStepInputs', () => {
  it('replaces a whole-string expression by the raw value, keeping its type', () => {
    const resolved = resolveStepInputs(
      {
        limit: '${{ params.limit }}',
        dryRun: '${{ params.dryRun }}',
        filter: '${{ params.filter }}',
        rows: '${{ steps.extract.outputs.rows }}',
        blob: '${{ steps.extract.outputs.blob }}',
        second: '${{ steps.extract.outputs.files.1 }}',
        nothing: '${{ steps.empty.outputs }}',
      },
      context,
    );
    expect(resolved).toEqual({
      limit: 50,
      dryRun: false,
      filter: { region: 'eu' },
      rows: 1200,
      blob: { container: 'landing', path: 'a/b.parquet' },
      second: 'y.csv',
      nothing: null,
    });
  });

  it('interpolates expressions inside longer strings as text', () => {
    expect(
      resolveStepInputs(
        {
          path: 'out/${{ params.day }}/${{ steps.extract.outputs.blob.path }}',
          note: 'auc=${{ steps.train.outputs.metrics.auc }} dry=${{ params.dryRun }} f=${{ params.filter }}',
          padded: ' ${{ params.limit }}',
        },
        context,
      ),
    ).toEqual({
      path: 'out/2024-05-01/a/b.parquet',
      note: 'auc=0.91 dry=false f={"region":"eu"}',
      padded: ' 50',
    });
  });

  it('resolves nested values and leaves everything else untouched, without changing the input', () => {
    const input = { list: [1, true, null, { deep: ['${{ params.limit }}', 'plain'] }], n: 3 };
    const before = structuredClone(input);
    expect(resolveStepInputs(input, context)).toEqual({ list: [1, true, null, { deep: [50, 'plain'] }], n: 3 });
    expect(input).toEqual(before);
    expect(resolveValue('${{ params.day }}', context)).toBe('2024-05-01');
  });

  it('throws an error naming a missing output', () => {
    expect(() => resolveStepInputs({ x: '${{ steps.extract.outputs.rowz }}' }, context)).toThrow(
      'cannot resolve ${{ steps.extract.outputs.rowz }}: step "extract" has no output "rowz"',
    );
    expect(() => resolveStepInputs({ x: 'n=${{ steps.train.outputs.metrics.f1 }}' }, context)).toThrow(
      'step "train" has no output "metrics.f1"',
    );
    expect(() => resolveStepInputs({ x: '${{ steps.load.outputs.x }}' }, context)).toThrow(
      'step "load" has no outputs',
    );
    expect(() => resolveStepInputs({ x: '${{ steps.extract.outputs.files.7 }}' }, context)).toThrow(
      'has no output "files.7"',
    );
    // Inherited properties are not outputs.
    expect(() => resolveStepInputs({ x: '${{ steps.extract.outputs.constructor }}' }, context)).toThrow(ExpressionError);
  });

  it('throws for a param without a value and for a malformed expression', () => {
    expect(() => resolveStepInputs({ x: '${{ params.month }}' }, context)).toThrow('param "month" has no value');
    expect(() => resolveStepInputs({ x: 'a ${{ bogus }}' }, context)).toThrow(ExpressionError);
  });
});
