import { describe, expect, it } from 'vitest';
import { evaluateDrift } from '../../../shared/drift/evaluate.js';
import { categoricalHistogram, histogramCategories, numericHistogram } from '../../../shared/drift/histogram.js';
import { summarize } from '../../../shared/drift/quantile-summary.js';

const range = (from: number, to: number) => Float64Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('drift histograms', () => {
  it('splits both windows over the reference deciles', () => {
    // Reference 1..100: type-7 deciles at (n - 1) k / 10 = 9.9 k, so 10.9, 20.8, ..., 90.1; ten
    // values in each bin. Current 51..150: nothing up to 50.5, ten values in each of the bins up
    // to 90.1, and 91..150 (60 values) in the last.
    const histogram = numericHistogram(range(1, 100), range(51, 150));
    expect(histogram.kind).toBe('bins');
    if (histogram.kind !== 'bins') return;
    expect(histogram.edges).toEqual([10.9, 20.8, 30.7, 40.6, 50.5, 60.4, 70.3, 80.2, 90.1].map((edge) => expect.closeTo(edge, 10)));
    expect(histogram.reference).toEqual(Array(10).fill(expect.closeTo(0.1, 12)));
    expect(histogram.current).toEqual([0, 0, 0, 0, 0, 0.1, 0.1, 0.1, 0.1, 0.6].map((share) => expect.closeTo(share, 12)));
    expect([histogram.min, histogram.max]).toEqual([1, 150]);
  });

  it('reads the reference shares off a summary when a profile could not keep the values', () => {
    // 10,000 evenly spread values summarized by 101 quantiles: each decile bin still holds a tenth.
    const reference = range(1, 10_000);
    const histogram = numericHistogram(summarize(reference, 101), range(5_001, 15_000));
    if (histogram.kind !== 'bins') throw new Error('expected bins');
    for (const share of histogram.reference) expect(share).toBeCloseTo(0.1, 3);
    expect(histogram.current.slice(0, 5).every((share) => share === 0)).toBe(true);
    expect(histogram.current[9]).toBeCloseTo(0.6, 3);
    expect([histogram.min, histogram.max]).toEqual([1, 15_000]);
  });

  it('keeps the most frequent categories of both windows and sums the rest', () => {
    const names = Array.from({ length: 25 }, (_, i) => `c${String(i).padStart(2, '0')}`);
    // Reference: c00 holds 76 of 100, c01..c24 one each; current: c24 holds half of 50.
    const reference = new Map(names.map((name, i) => [name, i === 0 ? 76 : 1]));
    const current = new Map([['c24', 25], ['c00', 25]]);
    const histogram = categoricalHistogram(reference, current);
    if (histogram.kind !== 'categories') throw new Error('expected categories');
    expect(histogram.categories).toHaveLength(histogramCategories);
    // By shares summed over both windows: c00 0.76 + 0.5, c24 0.01 + 0.5, then the 0.01s by name.
    expect(histogram.categories.slice(0, 4)).toEqual(['c00', 'c24', 'c01', 'c02']);
    expect(histogram.reference.slice(0, 2)).toEqual([0.76, 0.01]);
    expect(histogram.current.slice(0, 3)).toEqual([0.5, 0.5, 0]);
    // Left out: c19..c23, five categories of 0.01 in the reference, none now.
    expect(histogram.other.reference).toBeCloseTo(0.05, 12);
    expect(histogram.other.current).toBe(0);
    expect(categoricalHistogram(new Map([['a', 1]]), new Map([['b', 3]]))).toEqual({ kind: 'categories', categories: ['a', 'b'], other: { reference: 0, current: 0 }, reference: [1, 0], current: [0, 1] });
  });

  it('comes with every numeric and categorical feature of a report', () => {
    const evaluation = evaluateDrift(
      { rows: 100, features: { amount: { kind: 'numeric', rows: 100, nulls: 0, sorted: range(1, 100) }, channel: { kind: 'categorical', rows: 100, nulls: 0, counts: new Map([['web', 100]]) } } },
      { rows: 100, features: { amount: { kind: 'numeric', rows: 100, nulls: 0, sorted: range(51, 150) }, channel: { kind: 'categorical', rows: 100, nulls: 0, counts: new Map([['app', 100]]) } } },
    );
    expect(evaluation.features.amount?.histogram).toMatchObject({ kind: 'bins', current: expect.arrayContaining([expect.closeTo(0.6, 12)]) });
    expect(evaluation.features.channel?.histogram).toEqual({ kind: 'categories', categories: ['app', 'web'], other: { reference: 0, current: 0 }, reference: [0, 1], current: [1, 0] });
  });
});
