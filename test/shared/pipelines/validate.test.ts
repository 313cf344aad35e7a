import { describe, expect, it } from 'vitest';
import { validatePipeline, type Problem } from '../../../shared/pipelines/validate.js';

const known = new Set(['noop', 'blob.extract', 'blob.load']);

function problemsOf(input: unknown): Problem[] {
  const result = validatePipeline(input, known);
  if (result.ok) throw new Error('expected the spec to be rejected');
  return result.problems;
}

function spec(steps: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'p', steps, ...extra };
}

describe('validatePipeline', () => {
  it('admits a valid spec and fills in every default', () => {
    const result = validatePipeline(
      spec(
        [
          { id: 'extract', uses: 'blob.extract', with: { day: '${{ params.day }}' } },
          {
            id: 'load',
            uses: 'blob.load',
            dependsOn: ['extract'],
            retry: { attempts: 3 },
            with: { rows: '${{ steps.extract.outputs.rows }}' },
          },
        ],
        { params: { day: { type: 'string', required: true } }, schedule: '0 */5 * * * *' },
      ),
      known,
    );
    expect(result).toEqual({
      ok: true,
      spec: {
        name: 'p',
        version: 1,
        params: { day: { type: 'string', required: true } },
        maxParallel: 8,
        schedule: '0 */5 * * * *',
        steps: [
          { id: 'extract', uses: 'blob.extract', with: { day: '${{ params.day }}' }, dependsOn: [], cache: false },
          {
            id: 'load',
            uses: 'blob.load',
            dependsOn: ['extract'],
            retry: { attempts: 3, backoffSeconds: 1, backoffCoefficient: 2 },
            with: { rows: '${{ steps.extract.outputs.rows }}' },
            cache: false,
          },
        ],
      },
    });
  });

  it('reports schema problems with the path of the field', () => {
    const problems = problemsOf({
      name: 'Bad Name',
      maxParallel: 0,
      typo: true,
      params: { '1bad': { type: 'string' }, ok: { type: 'date' } },
      steps: [{ id: 'has space', uses: 'noop', retry: { attempts: 11 }, timeoutSeconds: 1.5 }, { uses: 'noop' }],
    });
    const fields = problems.map((p) => p.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'name',
        'maxParallel',
        'typo',
        'params["1bad"]',
        'params.ok.type',
        'steps[0].id',
        'steps[0].retry.attempts',
        'steps[0].timeoutSeconds',
        'steps[1].id',
      ]),
    );
    expect(problems).toContainEqual({ field: 'typo', problem: 'is not a known field' });
    expect(problems).toContainEqual({ field: 'steps[1].id', problem: 'is required' });
    expect(problemsOf(null)).toEqual([{ field: 'spec', problem: 'Invalid input: expected object, received null' }]);
    expect(problemsOf(spec([]))).toEqual([{ field: 'steps', problem: expect.stringContaining('>=1') }]);
  });

  it('rejects a zero backoff, which Durable retry options cannot take', () => {
    const problems = problemsOf(spec([{ id: 'a', uses: 'noop', retry: { attempts: 2, backoffSeconds: 0 } }]));
    expect(problems.map((p) => p.field)).toEqual(['steps[0].retry.backoffSeconds']);
  });

  it('reports duplicate ids', () => {
    expect(problemsOf(spec([{ id: 'a', uses: 'noop' }, { id: 'b', uses: 'noop' }, { id: 'a', uses: 'noop' }]))).toEqual([
      { field: 'steps[2].id', problem: 'duplicates the id "a" of steps[0]' },
    ]);
  });

  it('reports unknown step types, listing the known ones', () => {
    expect(problemsOf(spec([{ id: 'a', uses: 'blob.extrakt' }]))).toEqual([
      { field: 'steps[0].uses', problem: 'unknown step type "blob.extrakt" (known: blob.extract, blob.load, noop)' },
    ]);
  });

  it('reports dependencies on missing steps and on the step itself', () => {
    expect(problemsOf(spec([{ id: 'a', uses: 'noop', dependsOn: ['ghost', 'a'] }]))).toEqual([
      { field: 'steps[0].dependsOn[0]', problem: '"ghost" is not a step in this pipeline' },
      { field: 'steps[0].dependsOn[1]', problem: 'step "a" depends on itself' },
    ]);
  });

  it('spells a cycle out exactly, once', () => {
    const problems = problemsOf(
      spec([
        { id: 'a', uses: 'noop', dependsOn: ['b'] },
        { id: 'b', uses: 'noop', dependsOn: ['c'] },
        { id: 'c', uses: 'noop', dependsOn: ['a'] },
        { id: 'd', uses: 'noop', dependsOn: ['a'] },
      ]),
    );
    expect(problems).toEqual([{ field: 'steps[0].dependsOn[0]', problem: 'dependency cycle: a -> b -> c -> a' }]);
    expect(problems[0]!.problem.split(': ')[1]).toBe('a -> b -> c -> a');
  });

  it('reports each distinct cycle', () => {
    const problems = problemsOf(
      spec([
        { id: 'a', uses: 'noop', dependsOn: ['b'] },
        { id: 'b', uses: 'noop', dependsOn: ['a', 'c'] },
        { id: 'c', uses: 'noop', dependsOn: ['b'] },
        { id: 'x', uses: 'noop', dependsOn: ['y'] },
        { id: 'y', uses: 'noop', dependsOn: ['x'] },
      ]),
    );
    expect(problems.map((p) => p.problem)).toEqual([
      'dependency cycle: a -> b -> a',
      'dependency cycle: b -> c -> b',
      'dependency cycle: x -> y -> x',
    ]);
  });

  it('checks output references against the steps upstream, however deep in `with`', () => {
    const problems = problemsOf(
      spec([
        { id: 'a', uses: 'noop' },
        { id: 'b', uses: 'noop', dependsOn: ['a'] },
        { id: 'side', uses: 'noop' },
        {
          id: 'c',
          uses: 'noop',
          dependsOn: ['b'],
          with: {
            fromA: '${{ steps.a.outputs.rows }}',
            nested: { list: ['x', { deep: 'rows=${{ steps.side.outputs.count }}' }] },
            missing: '${{ steps.ghost.outputs.x }}',
            own: '${{ steps.c.outputs.x }}',
          },
        },
      ]),
    );
    expect(problems).toEqual([
      {
        field: 'steps[3].with.nested.list[1].deep',
        problem:
          '${{ steps.side.outputs.count }} names step "side", which is not upstream of "c" ' +
          '(add it to dependsOn, directly or through another step)',
      },
      { field: 'steps[3].with.missing', problem: '${{ steps.ghost.outputs.x }} names step "ghost", which does not exist' },
      { field: 'steps[3].with.own', problem: '${{ steps.c.outputs.x }} refers to the outputs of its own step' },
    ]);
  });

  it('checks param references against the declared params', () => {
    expect(
      problemsOf(
        spec([{ id: 'a', uses: 'noop', with: { ok: '${{ params.day }}', bad: 'day ${{ params.month }}' } }], {
          params: { day: { type: 'string' } },
        }),
      ),
    ).toEqual([
      { field: 'steps[0].with.bad', problem: '${{ params.month }} names param "month", which params does not declare' },
    ]);
  });

  it('reports malformed expressions', () => {
    const problems = problemsOf(
      spec([
        {
          id: 'a',
          uses: 'noop',
          with: {
            unknownRoot: '${{ env.HOME }}',
            noOutputs: '${{ steps.a.rows }}',
            unclosed: 'x ${{ params.day',
            empty: '${{ }}',
            'odd key': ['${{ params.a.b }}'],
          },
        },
      ]),
    );
    expect(problems.map((p) => p.field)).toEqual([
      'steps[0].with.unknownRoot',
      'steps[0].with.noOutputs',
      'steps[0].with.unclosed',
      'steps[0].with.empty',
      'steps[0].with["odd key"][0]',
    ]);
    expect(problems[0]!.problem).toBe(
      '"${{ env.HOME }}" is not a valid expression: expected ${{ params.NAME }} or ${{ steps.ID.outputs.PATH }}',
    );
    expect(problems[2]!.problem).toBe('"${{ params.day" has no closing "}}"');
  });

  it('reports a bad schedule', () => {
    const bad = (schedule: string): Problem[] => problemsOf(spec([{ id: 'a', uses: 'noop' }], { schedule }));
    expect(bad('*/5 * * * *')).toEqual([
      {
        field: 'schedule',
        problem: 'must be an NCRONTAB expression of 6 fields (second minute hour day-of-month month day-of-week), not 5',
      },
    ]);
    expect(bad('61 * * * * *')).toEqual([
      { field: 'schedule', problem: expect.stringContaining('is not a valid NCRONTAB expression') },
    ]);
    expect(bad('0 0 0 31 2 *')).toHaveLength(1);
    expect(validatePipeline(spec([{ id: 'a', uses: 'noop' }], { schedule: '0 30 9 * * 1-5' }), known).ok).toBe(true);
  });

  it('reports a param default of the wrong type', () => {
    expect(
      problemsOf(spec([{ id: 'a', uses: 'noop' }], { params: { n: { type: 'number', default: '3' }, o: { type: 'object', default: {} } } })),
    ).toEqual([{ field: 'params.n.default', problem: 'must be a number' }]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      name: 'p',
      maxParallel: 1000,
      schedule: 'every day',
      params: { day: { type: 'string' } },
      steps: [
        { id: 'a', uses: 'noop', dependsOn: ['c'] },
        { id: 'b', uses: 'mystery', dependsOn: ['a', 'ghost'] },
        { id: 'c', uses: 'noop', dependsOn: ['b', 'c'] },
        { id: 'b', uses: 'noop', with: { x: '${{ params.nope }}', y: '${{ steps.e.outputs.z }}', z: '${{ oops }}' } },
        { id: 'e', uses: 'noop' },
      ],
    });
    expect(problems.map(({ field }) => field)).toEqual([
      'maxParallel',
      'schedule',
      'steps[1].uses',
      'steps[1].dependsOn[1]',
      'steps[2].dependsOn[1]',
      'steps[3].id',
      'steps[3].with.x',
      'steps[3].with.y',
      'steps[3].with.z',
      'steps[0].dependsOn[0]',
    ]);
    expect(problems.at(-1)!.problem).toBe('dependency cycle: a -> c -> b -> a');
  });
});
