import { describe, expect, it } from 'vitest';
import {
  isComplete,
  kolmogorovSmirnovAgainstSummary,
  psiAgainstSummary,
  shareAt,
  summarize,
  summaryStandardDeviation,
  wassersteinAgainstSummary,
  type QuantileSummary,
} from '../../../shared/drift/quantile-summary.js';
import { kolmogorovSmirnov, kolmogorovSmirnovPValue, standardDeviation } from '../../../shared/drift/statistics.js';
import { normalSample, prng } from './random.js';

// The uniform distribution on [0, 1] is a summary whose CDF is known exactly: quantiles
// k / 1000 give G(x) = x. Against it the expectations come from formulas written here (the
// one-sample KS statistic, a midpoint-rule integral, shares counted one by one), not from the
// module's merge.

const uniformSummary: QuantileSummary = { count: 1_000_000, quantiles: Float64Array.from({ length: 1001 }, (_, k) => k / 1000) };

function uniformSample(seed: number, m: number, scale = 1, offset = 0): Float64Array {
  const uniform = prng(seed);
  return Float64Array.from({ length: m }, () => offset + scale * uniform()).sort();
}

describe('summarize', () => {
  it('keeps type-7 quantiles at k / (K - 1), or every value when there are no more than K', () => {
    const eleven = Float64Array.from({ length: 11 }, (_, k) => k);
    // numpy: np.quantile(np.arange(11), [0, 0.25, 0.5, 0.75, 1]) = [0, 2.5, 5, 7.5, 10].
    expect(summarize(eleven, 5)).toEqual({ count: 11, quantiles: Float64Array.from([0, 2.5, 5, 7.5, 10]) });
    const three = Float64Array.from([1, 4, 9]);
    const kept = summarize(three, 5);
    expect(kept).toEqual({ count: 3, quantiles: three });
    expect(kept.quantiles).not.toBe(three);
    expect(isComplete(kept)).toBe(true);
    expect(isComplete(summarize(eleven, 5))).toBe(false);
    expect(() => summarize(eleven, 1)).toThrow(RangeError);
  });
});

describe('statistics against a summary', () => {
  it('finds the one-sample KS distance against the uniform CDF, with the p-value for the true count', () => {
    for (const [seed, m, scale, offset] of [
      [1, 500, 1, 0],
      [2, 300, 0.8, 0.3], // runs past 1, where G is 1
      [3, 50, 1.5, -0.4], // starts below 0, where G is 0
    ] as const) {
      const current = uniformSample(seed, m, scale, offset);
      const clamp = (x: number) => Math.min(1, Math.max(0, x));
      let expected = 0;
      current.forEach((x, i) => (expected = Math.max(expected, (i + 1) / m - clamp(x), clamp(x) - i / m)));
      const result = kolmogorovSmirnovAgainstSummary(uniformSummary, current);
      expect(result.statistic).toBeCloseTo(expected, 12);
      expect(result.method).toBe('asymptotic'); // a million values stand behind the summary
    }
    // The p-value is for the count the summary stands for, exact when that is small enough.
    const current = uniformSample(1, 500);
    const asIf8000 = kolmogorovSmirnovAgainstSummary({ ...uniformSummary, count: 8000 }, current);
    expect(asIf8000).toEqual({ statistic: asIf8000.statistic, ...kolmogorovSmirnovPValue(asIf8000.statistic, 8000, 500) });
    expect(asIf8000.method).toBe('exact');
    expect(kolmogorovSmirnovAgainstSummary(uniformSummary, current).pValue).not.toBe(asIf8000.pValue);
  });

  it('integrates |G - F_cur| exactly: Wasserstein against the uniform CDF by a midpoint rule', () => {
    for (const [seed, m, scale, offset] of [
      [4, 200, 1, 0],
      [5, 80, 0.5, 0.7],
      [6, 40, 2, -0.5],
    ] as const) {
      const current = uniformSample(seed, m, scale, offset);
      const from = Math.min(0, current[0] as number);
      const to = Math.max(1, current[m - 1] as number);
      const steps = 2_000_000;
      const width = (to - from) / steps;
      let area = 0;
      let below = 0;
      for (let k = 0; k < steps; k++) {
        const x = from + (k + 0.5) * width;
        while (below < m && (current[below] as number) <= x) below++;
        area += Math.abs(Math.min(1, Math.max(0, x)) - below / m) * width;
      }
      expect(wassersteinAgainstSummary(uniformSummary, current)).toBeCloseTo(area, 5);
    }
    // A shift of the whole distribution by d gives d.
    expect(wassersteinAgainstSummary(uniformSummary, Float64Array.from({ length: 1001 }, (_, k) => k / 1000 + 0.25))).toBeCloseTo(0.25, 3);
  });

  it('bins PSI at the summary deciles with the reference shares from its CDF', () => {
    const current = uniformSample(7, 400, 0.7, 0.1);
    const edges = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const shares = Array.from({ length: 10 }, (_, k) => current.filter((x) => (k === 0 || x > (edges[k - 1] as number)) && (k === 9 || x <= (edges[k] as number))).length / 400);
    const expected = shares.reduce((total, c) => total + ((c || 1e-4) - 0.1) * Math.log((c || 1e-4) / 0.1), 0);
    expect(psiAgainstSummary(uniformSummary, current)).toBeCloseTo(expected, 12);
    expect(psiAgainstSummary(uniformSummary, Float64Array.from({ length: 1000 }, (_, k) => (k + 0.5) / 1000))).toBeCloseTo(0, 12);
  });

  it('jumps where quantiles repeat: a reference with three values', () => {
    const counts = (zero: number, one: number, two: number) => Float64Array.from([...Array(zero).fill(0), ...Array(one).fill(1), ...Array(two).fill(2)]);
    const reference = counts(2000, 5000, 3000);
    const summary = summarize(reference, 1001);
    // A value's share loses at most one quantile step (1 / 1000) to the ramp on each side of it.
    expect(Math.abs(shareAt(summary, 1) - 0.5)).toBeLessThanOrEqual(0.002 + 1e-12);
    expect(Math.abs(shareAt(summary, 0) - 0.2)).toBeLessThanOrEqual(0.001 + 1e-12);
    expect(shareAt(summary, 0.5)).toBe(0);
    const current = counts(2000, 4000, 4000);
    expect(kolmogorovSmirnov(reference, current).statistic).toBeCloseTo(0.1, 12);
    expect(Math.abs(kolmogorovSmirnovAgainstSummary(summary, current).statistic - 0.1)).toBeLessThanOrEqual(0.001);
    // Moving 10% of the mass from 1 to 2 moves it by 1 over 10% of the line.
    expect(Math.abs(wassersteinAgainstSummary(summary, current) - 0.1)).toBeLessThanOrEqual(0.002);
  });

  it('rejects a summary that is not one, and an empty or unsorted current sample', () => {
    const current = Float64Array.from([0.5]);
    expect(() => kolmogorovSmirnovAgainstSummary({ count: 10, quantiles: Float64Array.from([1]) }, current)).toThrow(RangeError);
    expect(() => wassersteinAgainstSummary({ count: 2, quantiles: Float64Array.from([0, 1, 2]) }, current)).toThrow(RangeError);
    expect(() => psiAgainstSummary({ count: 10, quantiles: Float64Array.from([0, 2, 1]) }, current)).toThrow(/ascending/);
    expect(() => shareAt({ count: 10, quantiles: Float64Array.from([0, NaN]) }, 0)).toThrow(RangeError);
    expect(() => kolmogorovSmirnovAgainstSummary(uniformSummary, new Float64Array(0))).toThrow(/current is empty/);
    expect(() => wassersteinAgainstSummary(uniformSummary, Float64Array.from([3, 2, 1]))).toThrow(/ascending/);
    expect(() => psiAgainstSummary(uniformSummary, current, 1)).toThrow(/bins/);
  });
});

describe('summaryStandardDeviation', () => {
  it('is 1 / sqrt(12) for the uniform distribution on [0, 1], and 0 for a constant', () => {
    expect(summaryStandardDeviation(uniformSummary)).toBeCloseTo(1 / Math.sqrt(12), 12);
    // Uniform on [2, 4]: (4 - 2) / sqrt(12), from 3 knots.
    expect(summaryStandardDeviation({ count: 500, quantiles: Float64Array.from([2, 3, 4]) })).toBeCloseTo(2 / Math.sqrt(12), 12);
    expect(summaryStandardDeviation({ count: 500, quantiles: Float64Array.from([7, 7, 7]) })).toBe(0);
  });

  it("is within 0.5% of the raw sample's for normal data and up to 13% low for skewed (lognormal) data, from 1,001 quantiles", () => {
    for (const [name, sample, low, high] of [
      ['normal, 100,000', normalSample(31, 100_000, 10, 3), -0.005, 0.005],
      ['normal, 5,000', normalSample(34, 5000, -2, 0.1), -0.005, 0.005],
      // Spread evenly up to the maximum, the top 0.1% made these 24% and 8% high (and more with n).
      ['lognormal sigma 1, 100,000', normalSample(32, 100_000).map((v) => Math.exp(3.5 + v)), -0.06, 0],
      // Five values a step: the neighbour's width is noisy, but so is the raw deviation itself (about 7% between samples of 5,000 here).
      ['lognormal sigma 1, 5,000', normalSample(33, 5000).map((v) => Math.exp(3.5 + v)), -0.13, 0],
    ] as const) {
      const error = summaryStandardDeviation(summarize(sample, 1001)) / standardDeviation(sample) - 1;
      expect(error, name).toBeGreaterThanOrEqual(low);
      expect(error, name).toBeLessThanOrEqual(high);
    }
  });
});
