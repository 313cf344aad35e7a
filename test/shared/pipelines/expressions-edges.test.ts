import { describe, expect, it } from 'vitest';
import { ExpressionError, findExpressions, resolveStepInputs, resolveValue, type ResolveContext } from '../../../shared/pipelines/expressions.js';

const context: ResolveContext = {
  params: { day: '2024-05-01', n: 0, nothing: undefined },
  outputs: { s: { list: ['a', 'b'], obj: { k: 1 }, zero: 0, no: false, nil: null, text: 'abc', twelve: Array.from({ length: 12 }, (_, i) => i * 10) }, gone: undefined },
};

/** The problem reported for a one-expression string. */
const problemOf = (text: string) => {
  const [finding] = findExpressions(text);
  return finding && !finding.ok ? finding.problem : undefined;
};

describe('expression syntax at its edges', () => {
  it('names what a malformed expression should look like', () => {
    expect(problemOf('${{ params }}')).toBe('"${{ params }}" is not a valid expression: a param reference is ${{ params.NAME }}');
    expect(problemOf('${{ params.a.b }}')).toBe('"${{ params.a.b }}" is not a valid expression: a param reference is ${{ params.NAME }}');
    expect(problemOf('${{ params.1x }}')).toBe('"${{ params.1x }}" is not a valid expression: a param reference is ${{ params.NAME }}');
    expect(problemOf('${{ steps }}')).toBe('"${{ steps }}" is not a valid expression: an output reference is ${{ steps.ID.outputs.PATH }}');
    expect(problemOf('${{ steps.a }}')).toMatch(/an output reference is/);
    expect(problemOf('${{ steps.a b.outputs }}')).toMatch(/an output reference is/);
    expect(problemOf('${{ steps.a.outputs.x y }}')).toBe('"${{ steps.a.outputs.x y }}" is not a valid expression: an output path is names or indexes joined by "."');
    expect(problemOf('${{ env.HOME }}')).toBe('"${{ env.HOME }}" is not a valid expression: expected ${{ params.NAME }} or ${{ steps.ID.outputs.PATH }}');
    expect(problemOf('x ${{ params.day')).toBe('"${{ params.day" has no closing "}}"');
  });

  it('accepts the longest names and the path characters it allows', () => {
    const name = `p${'x'.repeat(63)}`;
    expect(findExpressions(`\${{ params.${name} }}`)).toEqual([{ ok: true, at: [], text: `\${{ params.${name} }}`, reference: { kind: 'param', name } }]);
    expect(problemOf(`\${{ params.${name}x }}`)).toMatch(/a param reference is/);
    const [found] = findExpressions('${{ steps.A_b-9.outputs.x_1.0.y-z }}');
    expect(found).toMatchObject({ ok: true, reference: { kind: 'output', stepId: 'A_b-9', path: ['x_1', '0', 'y-z'] } });
  });

  it('shortens a long malformed expression to 77 characters and an ellipsis', () => {
    const long = `\${{ ${'x'.repeat(100)} }}`;
    const problem = problemOf(long) as string;
    expect(problem.startsWith(`"${long.slice(0, 77)}..." is not a valid expression`)).toBe(true);
    const eighty = `\${{ ${'y'.repeat(73)} }}`;
    expect(eighty).toHaveLength(80);
    expect(problemOf(eighty)?.startsWith(`"${eighty}" is not`)).toBe(true);
  });

  it('finds adjacent expressions, text around them, and a malformed one after good ones', () => {
    expect(findExpressions('${{params.day}}${{ params.n }}-${{ bad').map((f) => [f.ok, f.text])).toEqual([
      [true, '${{params.day}}'],
      [true, '${{ params.n }}'],
      [false, '${{ bad'],
    ]);
    expect(findExpressions('plain }} text ${ { not one')).toEqual([]);
    expect(findExpressions([42, null, true, { k: 'v' }])).toEqual([]);
  });

  it('walks 64 levels deep and refuses the 65th, naming where', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = '${{ params.day }}';
      for (let i = 0; i < levels; i++) value = { k: value };
      return value;
    };
    expect(findExpressions(nest(63))).toEqual([expect.objectContaining({ ok: true })]);
    const tooDeep = findExpressions(nest(65));
    expect(tooDeep).toEqual([{ ok: false, at: new Array(64).fill('k'), text: '', problem: 'is nested deeper than 64 levels' }]);
  });
});

describe('resolving at its edges', () => {
  it('keeps falsy outputs and params as values, and reads array items by index only', () => {
    expect(resolveStepInputs({ a: '${{ steps.s.outputs.zero }}', b: '${{ steps.s.outputs.no }}', c: '${{ steps.s.outputs.nil }}', d: '${{ params.n }}' }, context)).toEqual({
      a: 0,
      b: false,
      c: null,
      d: 0,
    });
    expect(resolveValue('${{ steps.s.outputs.list.1 }}', context)).toBe('b');
    expect(() => resolveValue('${{ steps.s.outputs.list.length }}', context)).toThrow('step "s" has no output "list.length"');
    expect(() => resolveValue('${{ steps.s.outputs.list.2 }}', context)).toThrow('step "s" has no output "list.2"');
    expect(() => resolveValue('${{ steps.s.outputs.obj.k.deeper }}', context)).toThrow('step "s" has no output "obj.k.deeper"');
    expect(() => resolveValue('${{ steps.s.outputs.obj.toString }}', context)).toThrow('step "s" has no output "obj.toString"');
  });

  it('keeps the text after the last expression, and reads an expression first in a longer string as text', () => {
    expect(resolveValue('${{ params.n }} apples', context)).toBe('0 apples');
    expect(resolveValue('on ${{ params.day }} at noon', context)).toBe('on 2024-05-01 at noon');
  });

  it('reads indexes of more than one digit, and nothing below a string or null', () => {
    expect(resolveValue('${{ steps.s.outputs.twelve.11 }}', context)).toBe(110);
    expect(() => resolveValue('${{ steps.s.outputs.text.length }}', context)).toThrow('step "s" has no output "text.length"');
    expect(() => resolveValue('${{ steps.s.outputs.nil.x }}', context)).toThrow('step "s" has no output "nil.x"');
    // The message names the path up to the first missing segment.
    expect(() => resolveValue('${{ steps.s.outputs.obj.nope.deeper }}', context)).toThrow('step "s" has no output "obj.nope"');
  });

  it('throws an ExpressionError for a malformed expression alone or unclosed', () => {
    expect(() => resolveValue('${{ nope }}', context)).toThrow(ExpressionError);
    expect(() => resolveValue('${{ nope }}', context)).toThrow('cannot resolve ${{ nope }}: "${{ nope }}" is not a valid expression');
    expect(() => resolveValue('a ${{ params.day', context)).toThrow(ExpressionError);
    expect(() => resolveValue('a ${{ params.day', context)).toThrow('"${{ params.day" has no closing "}}"');
  });

  it('writes values into text as JSON for objects and as String otherwise', () => {
    expect(resolveValue('v=${{ steps.s.outputs.obj }}|${{ steps.s.outputs.list }}|${{ steps.s.outputs.nil }}|${{ params.n }}|${{ steps.s.outputs.no }}', context)).toBe(
      'v={"k":1}|["a","b"]|null|0|false',
    );
  });

  it('refuses a param that is declared but has no value, and a step that returned nothing', () => {
    expect(() => resolveValue('${{ params.nothing }}', context)).toThrow(new ExpressionError('${{ params.nothing }}', 'param "nothing" has no value (pass it or give it a default)'));
    expect(() => resolveValue('${{ params.toString }}', context)).toThrow('param "toString" has no value');
    expect(() => resolveValue('${{ steps.gone.outputs }}', context)).toThrow('cannot resolve ${{ steps.gone.outputs }}: step "gone" has no outputs (it has not completed, or returned nothing)');
    expect(() => resolveValue('${{ steps.toString.outputs }}', context)).toThrow('step "toString" has no outputs');
  });

  it('names the expression of a malformed part of a longer string', () => {
    const error = (() => {
      try {
        resolveValue('a ${{ params.day }} b ${{ nope }}', context);
      } catch (thrown) {
        return thrown;
      }
      return undefined;
    })() as ExpressionError;
    expect(error).toBeInstanceOf(ExpressionError);
    expect(error.name).toBe('ExpressionError');
    expect(error.expression).toBe('${{ nope }}');
  });

  it('leaves strings without expressions, numbers and class instances as they are, and copies a __proto__ key as data', () => {
    const date = new Date(0);
    expect(resolveValue(date, context)).toBe(date);
    expect(resolveValue('no ${ here', context)).toBe('no ${ here');
    expect(resolveValue(7, context)).toBe(7);
    const withProto = JSON.parse('{"__proto__": "${{ params.day }}"}') as Record<string, unknown>;
    const resolved = resolveStepInputs(withProto, context);
    expect(Object.getPrototypeOf(resolved)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(resolved, '__proto__')?.value).toBe('2024-05-01');
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { k: '${{ params.n }}' });
    expect(resolveValue(bare, context)).toEqual({ k: 0 });
  });
});
