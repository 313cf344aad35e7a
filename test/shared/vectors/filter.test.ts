import { describe, expect, it } from 'vitest';
import { compileFilter, filterSchema, type Metadata } from '../../../shared/vectors/filter.js';

const compiled = (filter: unknown) => compileFilter(filterSchema.parse(filter));
const matches = (filter: unknown, metadata: Metadata | undefined) => (compiled(filter) as (m: Metadata | undefined) => boolean)(metadata);

describe('metadata filter bounds', () => {
  it('includes the bound for gte and lte and excludes it for gt and lt, on numbers', () => {
    const at = (condition: Record<string, number>, year: number) => matches({ year: condition }, { year });
    expect([2019, 2020, 2021].map((y) => at({ gt: 2020 }, y))).toEqual([false, false, true]);
    expect([2019, 2020, 2021].map((y) => at({ gte: 2020 }, y))).toEqual([false, true, true]);
    expect([2019, 2020, 2021].map((y) => at({ lt: 2020 }, y))).toEqual([true, false, false]);
    expect([2019, 2020, 2021].map((y) => at({ lte: 2020 }, y))).toEqual([true, true, false]);
    expect([0.5, 1, 1.5, 2].map((y) => at({ gt: 0.5, lte: 1.5 }, y))).toEqual([false, true, true, false]);
  });

  it('compares strings by code units with the same bounds', () => {
    const at = (condition: Record<string, string>, name: string) => matches({ name: condition }, { name });
    expect(['a', 'b', 'c'].map((n) => at({ gt: 'b' }, n))).toEqual([false, false, true]);
    expect(['a', 'b', 'c'].map((n) => at({ gte: 'b' }, n))).toEqual([false, true, true]);
    expect(['a', 'b', 'c'].map((n) => at({ lt: 'b' }, n))).toEqual([true, false, false]);
    expect(['a', 'b', 'c'].map((n) => at({ lte: 'b' }, n))).toEqual([true, true, false]);
    // Code units: "Z" (90) < "a" (97), and "10" < "9".
    expect(at({ lt: 'a' }, 'Z')).toBe(true);
    expect(at({ lt: '9' }, '10')).toBe(true);
  });

  it('never matches across types, a missing field, null or absent metadata', () => {
    expect(matches({ n: { gte: 1 } }, { n: '5' })).toBe(false);
    expect(matches({ n: { lt: 'z' } }, { n: 5 })).toBe(false);
    expect(matches({ n: { gte: 0 } }, { n: null })).toBe(false);
    // A number against a numeric string bound, or a boolean against a string one, is a type
    // mismatch too, not a comparison JavaScript would happily coerce.
    expect(matches({ n: { lt: '9' } }, { n: 5 })).toBe(false);
    expect(matches({ n: { gte: 'a' } }, { n: true })).toBe(false);
    expect(matches({ n: { lte: 5 } }, { n: '3' })).toBe(false);
    expect(matches({ n: { gte: 0 } }, { n: true })).toBe(false);
    expect(matches({ n: { gte: 0 } }, {})).toBe(false);
    expect(matches({ n: { gte: 0 } }, undefined)).toBe(false);
    expect(matches({ n: 1 }, undefined)).toBe(false);
    expect(matches({ n: 1 }, { n: '1' })).toBe(false);
    expect(matches({ n: true }, { n: true })).toBe(true);
    expect(matches({ n: false }, { n: false })).toBe(true);
  });

  it('tests eq and in strictly, and ANDs every condition of a field', () => {
    expect(matches({ c: { eq: 'red' } }, { c: 'red' })).toBe(true);
    expect(matches({ c: { eq: 'red' } }, { c: 'Red' })).toBe(false);
    expect(matches({ c: { eq: 0 } }, { c: false })).toBe(false);
    expect(matches({ c: { in: [1, 'x', true] } }, { c: 'x' })).toBe(true);
    expect(matches({ c: { in: [1, 'x', true] } }, { c: true })).toBe(true);
    expect(matches({ c: { in: [1, 'x', true] } }, { c: '1' })).toBe(false);
    expect(matches({ c: { in: [1, 'x'] } }, {})).toBe(false);
    expect(matches({ c: { eq: 3, in: [3, 4] } }, { c: 3 })).toBe(true);
    expect(matches({ c: { eq: 4, in: [3] } }, { c: 4 })).toBe(false);
    expect(matches({ c: { in: [3, 4], gt: 3 } }, { c: 3 })).toBe(false);
    expect(matches({ c: { in: [3, 4], gt: 3 } }, { c: 4 })).toBe(true);
    expect(matches({ a: 1, b: 2 }, { a: 1, b: 2 })).toBe(true);
    expect(matches({ a: 1, b: 2 }, { a: 1, b: 3 })).toBe(false);
  });

  it('compiles no filter, or an empty one, to no predicate at all', () => {
    expect(compileFilter(undefined)).toBeUndefined();
    expect(compileFilter({})).toBeUndefined();
    expect(typeof compileFilter({ a: 1 })).toBe('function');
  });

  it('bounds field names and in lists, and refuses unknown operators and nested values', () => {
    expect(filterSchema.safeParse({ ['f'.repeat(128)]: 1 }).success).toBe(true);
    expect(filterSchema.safeParse({ ['f'.repeat(129)]: 1 }).success).toBe(false);
    expect(filterSchema.safeParse({ '': 1 }).success).toBe(false);
    expect(filterSchema.safeParse({ f: { in: Array.from({ length: 1000 }, (_, i) => i) } }).success).toBe(true);
    expect(filterSchema.safeParse({ f: { in: Array.from({ length: 1001 }, (_, i) => i) } }).success).toBe(false);
    expect(filterSchema.safeParse({ f: { in: [] } }).success).toBe(false);
    expect(filterSchema.safeParse({ f: { ne: 1 } }).success).toBe(false);
    expect(filterSchema.safeParse({ f: { gt: true } }).success).toBe(false);
    expect(filterSchema.safeParse({ f: [1] }).success).toBe(false);
    expect(filterSchema.safeParse({ f: null }).success).toBe(false);
  });

  it('names what an empty condition needs', () => {
    const result = filterSchema.safeParse({ year: {} });
    expect(result.error?.issues.map((i) => i.message)).toContain('needs at least one of eq, gt, gte, lt, lte, in');
  });
});
