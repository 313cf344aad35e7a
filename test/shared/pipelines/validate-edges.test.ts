import { describe, expect, it } from 'vitest';
import { fieldPath, validatePipeline, type Problem } from '../../../shared/pipelines/validate.js';

const known = new Set(['noop']);

function problemsOf(input: unknown, types: ReadonlySet<string> = known): Problem[] {
  const result = validatePipeline(input, types);
  if (result.ok) throw new Error('expected the spec to be rejected');
  return result.problems;
}

const spec = (steps: unknown[], extra: Record<string, unknown> = {}) => ({ name: 'p', steps, ...extra });

describe('field names in problems', () => {
  it('writes a path the way a user points at JSON', () => {
    expect(fieldPath([])).toBe('spec');
    expect(fieldPath(['steps', 2, 'dependsOn', 0])).toBe('steps[2].dependsOn[0]');
    expect(fieldPath(['params', 'day_1', 'default'])).toBe('params.day_1.default');
    expect(fieldPath(['with', 'a b', '$x', '_y'])).toBe('with["a b"].$x._y');
    expect(fieldPath(['1abc'])).toBe('["1abc"]');
    expect(fieldPath([0, 'x'])).toBe('[0].x');
    expect(fieldPath(['a', ''])).toBe('a[""]');
    expect(fieldPath(['a', Symbol.for('s')])).toBe('a["Symbol(s)"]');
    expect(fieldPath(['with', 'say "hi"'])).toBe('with["say \\"hi\\""]');
  });
});

describe('validation at its edges', () => {
  it('says when no step types are registered, and stops listing them past 30', () => {
    expect(problemsOf(spec([{ id: 'a', uses: 'x.y' }]), new Set())).toEqual([{ field: 'steps[0].uses', problem: 'unknown step type "x.y" (no step types are registered)' }]);
    const thirty = new Set(Array.from({ length: 30 }, (_, i) => `t${String(i).padStart(2, '0')}`));
    expect(problemsOf(spec([{ id: 'a', uses: 'x' }]), thirty)[0]?.problem).toBe(`unknown step type "x" (known: ${[...thirty].join(', ')})`);
    const thirtyOne = new Set([...thirty, 't30']);
    expect(problemsOf(spec([{ id: 'a', uses: 'x' }]), thirtyOne)).toEqual([{ field: 'steps[0].uses', problem: 'unknown step type "x"' }]);
    // Listed sorted, whatever order they were registered in.
    expect(problemsOf(spec([{ id: 'a', uses: 'x' }]), new Set(['b', 'a']))[0]?.problem).toBe('unknown step type "x" (known: a, b)');
  });

  it('checks each param default against its type, with the right article', () => {
    const defaults = (params: Record<string, unknown>) => problemsOf(spec([{ id: 'a', uses: 'noop' }], { params }));
    expect(
      defaults({
        o: { type: 'object', default: 'x' },
        n: { type: 'object', default: null },
        s: { type: 'string', default: 1 },
        b: { type: 'boolean', default: 'true' },
        f: { type: 'number', default: null },
      }),
    ).toEqual([
      { field: 'params.o.default', problem: 'must be an object' },
      { field: 'params.n.default', problem: 'must be an object' },
      { field: 'params.s.default', problem: 'must be a string' },
      { field: 'params.b.default', problem: 'must be a boolean' },
      { field: 'params.f.default', problem: 'must be a number' },
    ]);
    const ok = validatePipeline(
      spec([{ id: 'a', uses: 'noop' }], {
        params: { o: { type: 'object', default: [] }, s: { type: 'string', default: '' }, b: { type: 'boolean', default: false }, n: { type: 'number', default: 0 } },
      }),
      known,
    );
    expect(ok.ok).toBe(true);
  });

  it('does not pile a default check onto a param that is itself malformed', () => {
    const problems = problemsOf(spec([{ id: 'a', uses: 'noop' }], { params: { p: { type: 'date', default: 1 }, q: 'nope' } }));
    expect(problems.every((p) => !p.field.endsWith('.default'))).toBe(true);
    expect(problems.map((p) => p.field)).toEqual(['params.p.type', 'params.q']);
  });

  it('names a bad param name, and checks references only against params that are a record', () => {
    const problems = problemsOf(spec([{ id: 'a', uses: 'noop', with: { x: '${{ params.day }}' } }], { params: { '1bad': { type: 'string' } } }));
    expect(problems).toEqual([
      { field: 'params["1bad"]', problem: expect.stringMatching(/^is not a valid name: must start with a letter/) },
      { field: 'steps[0].with.x', problem: '${{ params.day }} names param "day", which params does not declare' },
    ]);
    const notAnObject = problemsOf(spec([{ id: 'a', uses: 'noop', with: { x: '${{ params.day }}' } }], { params: [] }));
    expect(notAnObject.map((p) => p.field)).toEqual(['params']);
  });

  it('reports a reference to undeclared params when params is left out', () => {
    expect(problemsOf(spec([{ id: 'a', uses: 'noop', with: { x: '${{ params.day }}' } }]))).toEqual([
      { field: 'steps[0].with.x', problem: '${{ params.day }} names param "day", which params does not declare' },
    ]);
  });

  it('reads what it can of a malformed step list: non-string dependencies and steps without an id are left to the schema', () => {
    expect(problemsOf(spec([{ id: 'a', uses: 'noop', dependsOn: [7, 'ghost'] }, { uses: 'noop' }, 'junk', null]))).toEqual([
      { field: 'steps[0].dependsOn[0]', problem: 'Invalid input: expected string, received number' },
      { field: 'steps[1].id', problem: 'is required' },
      { field: 'steps[2]', problem: 'Invalid input: expected object, received string' },
      { field: 'steps[3]', problem: 'Invalid input: expected object, received null' },
      { field: 'steps[0].dependsOn[1]', problem: '"ghost" is not a step in this pipeline' },
    ]);
    // Two steps without an id are two schema problems, not a duplicate id "undefined".
    expect(problemsOf(spec([{ uses: 'noop' }, { uses: 'noop' }]))).toEqual([
      { field: 'steps[0].id', problem: 'is required' },
      { field: 'steps[1].id', problem: 'is required' },
    ]);
    // A missing or non-string type is the schema's problem alone, not an unknown step type.
    expect(problemsOf(spec([{ id: 'a', uses: 5 }, { id: 'b', uses: '' }]))).toEqual([
      { field: 'steps[0].uses', problem: 'Invalid input: expected string, received number' },
      { field: 'steps[1].uses', problem: 'Too small: expected string to have >=1 characters' },
    ]);
    // dependsOn that is not a list is the schema's problem alone.
    expect(problemsOf(spec([{ id: 'a', uses: 'noop', dependsOn: 'b' }])).map((p) => p.field)).toEqual(['steps[0].dependsOn']);
  });

  it('reserves __proto__ as a step id', () => {
    expect(problemsOf(spec([{ id: '__proto__', uses: 'noop' }]))).toEqual([{ field: 'steps[0].id', problem: '"__proto__" is reserved' }]);
  });

  it('refuses a number default that is not finite', () => {
    for (const value of [Infinity, -Infinity, NaN]) {
      expect(problemsOf(spec([{ id: 'a', uses: 'noop' }], { params: { x: { type: 'number', default: value } } }))).toEqual([{ field: 'params.x.default', problem: 'must be a number' }]);
    }
  });

  it('checks no references against params that are not a record', () => {
    for (const params of ['nope', 5]) {
      expect(problemsOf(spec([{ id: 'a', uses: 'noop', with: { x: '${{ params.day }}' } }], { params })).map((p) => p.field)).toEqual(['params']);
    }
  });

  it('points a cycle through a repeated id at the step list of its first holder', () => {
    // The second "a" closes the cycle; problems name the first "a", which has no such edge.
    const problems = problemsOf(spec([{ id: 'a', uses: 'noop' }, { id: 'b', uses: 'noop', dependsOn: ['a'] }, { id: 'a', uses: 'noop', dependsOn: ['b'] }]));
    expect(problems).toContainEqual({ field: 'steps[0].dependsOn', problem: 'dependency cycle: a -> b -> a' });
  });

  it('reports exactly 100 cycles without a "more" line', () => {
    const steps = Array.from({ length: 100 }, (_, i) => [
      { id: `p${i}`, uses: 'noop', dependsOn: [`q${i}`] },
      { id: `q${i}`, uses: 'noop', dependsOn: [`p${i}`] },
    ]).flat();
    const problems = problemsOf(spec(steps));
    expect(problems).toHaveLength(100);
    expect(problems.every((p) => p.problem.startsWith('dependency cycle: '))).toBe(true);
  });

  it('still cross-checks a spec of exactly 5,000 steps', () => {
    const steps = Array.from({ length: 5000 }, (_, i) => ({ id: `s${i}`, uses: 'noop', ...(i === 4999 ? { dependsOn: ['ghost'] } : {}) }));
    expect(problemsOf(spec(steps))).toEqual([{ field: 'steps[4999].dependsOn[0]', problem: '"ghost" is not a step in this pipeline' }]);
  });

  it('names a reference to the step itself and to a step that does not exist', () => {
    expect(problemsOf(spec([{ id: 'a', uses: 'noop', with: { x: '${{ steps.a.outputs }}', y: ['${{ steps.z.outputs.k }}'] } }]))).toEqual([
      { field: 'steps[0].with.x', problem: '${{ steps.a.outputs }} refers to the outputs of its own step' },
      { field: 'steps[0].with.y[0]', problem: '${{ steps.z.outputs.k }} names step "z", which does not exist' },
    ]);
  });

  it('accepts a reference to a step upstream through another, and refuses one downstream', () => {
    const chain = [
      { id: 'a', uses: 'noop' },
      { id: 'b', uses: 'noop', dependsOn: ['a'] },
      { id: 'c', uses: 'noop', dependsOn: ['b'], with: { x: '${{ steps.a.outputs.v }}' } },
    ];
    expect(validatePipeline(spec(chain), known).ok).toBe(true);
    expect(problemsOf(spec([...chain, { id: 'd', uses: 'noop', with: { y: '${{ steps.c.outputs }}' } }]))).toEqual([
      {
        field: 'steps[3].with.y',
        problem: '${{ steps.c.outputs }} names step "c", which is not upstream of "d" (add it to dependsOn, directly or through another step)',
      },
    ]);
  });

  it('points a cycle at the edge that closes it, and counts cycles past the first 100', () => {
    // 101 separate two-step cycles: pi -> qi -> pi.
    const steps = Array.from({ length: 101 }, (_, i) => [
      { id: `p${i}`, uses: 'noop', dependsOn: ['x', `q${i}`] },
      { id: `q${i}`, uses: 'noop', dependsOn: [`p${i}`] },
    ]).flat();
    const problems = problemsOf(spec([{ id: 'x', uses: 'noop' }, ...steps]));
    expect(problems).toHaveLength(101);
    expect(problems[0]).toEqual({ field: 'steps[1].dependsOn[1]', problem: 'dependency cycle: p0 -> q0 -> p0' });
    expect(problems[99]).toEqual({ field: 'steps[199].dependsOn[1]', problem: 'dependency cycle: p99 -> q99 -> p99' });
    expect(problems[100]).toEqual({ field: 'steps', problem: '1 more dependency cycles' });
  });

  it('leaves a spec over 5,000 steps to the schema alone', () => {
    const steps = Array.from({ length: 5001 }, (_, i) => ({ id: `s${i}`, uses: 'nope', dependsOn: ['ghost'] }));
    expect(problemsOf(spec(steps)).map((p) => p.field)).toEqual(['steps']);
  });
});
