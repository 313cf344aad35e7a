import { describe, expect, it } from 'vitest';
import { psiAgainstSummary, shareAt, summarize, wassersteinAgainstSummary } from '../../../shared/drift/quantile-summary.js';
import { smirnovExactSurvival } from '../../../shared/drift/smirnov-exact.js';

// The argument checks of the summary statistics at their boundaries, and the texts of their
// errors (issue 21: mutants that survived `npm run test:mutation -- drift-summary`).
describe('argument boundaries of the summary statistics', () => {
  it('summarizes into as few as 2 quantiles (the minimum and the maximum), and names a bad count', () => {
    expect(summarize(Float64Array.from([0, 1, 2, 3]), 2)).toEqual({ count: 4, quantiles: Float64Array.from([0, 3]) });
    expect(() => summarize(Float64Array.from([0, 1, 2]), 1)).toThrow(new RangeError('knots must be an integer >= 2, got 1'));
  });

  it('takes a summary of exactly 2 quantiles standing for exactly 2 values, and names one that is not a summary', () => {
    // Two distinct quantiles: no value holds a jump of G.
    expect(shareAt({ count: 2, quantiles: Float64Array.from([0, 1]) }, 0.5)).toBe(0);
    expect(() => shareAt({ count: 1, quantiles: Float64Array.from([0, 1]) }, 0.5)).toThrow(
      new RangeError('a quantile summary needs at least 2 quantiles and a count >= their number, got 2 and 1'),
    );
  });

  it('bins PSI in as few as 2 bins: ln 3 / 4 for three quarters of the current sample below the median', () => {
    // Uniform on [0, 1] from 3 quantiles: the edge is the median 0.5, each side holds 1/2. The
    // current sample puts 3/4 below: (3/4 - 1/2) ln(3/2) + (1/4 - 1/2) ln(1/2) = ln(3) / 4.
    const uniform = { count: 1000, quantiles: Float64Array.from([0, 0.5, 1]) };
    expect(psiAgainstSummary(uniform, Float64Array.from([0.1, 0.2, 0.3, 0.9]), 2)).toBeCloseTo(Math.log(3) / 4, 12);
  });

  it('names the current sample when it is not ascending', () => {
    const uniform = { count: 1000, quantiles: Float64Array.from([0, 0.5, 1]) };
    expect(() => wassersteinAgainstSummary(uniform, Float64Array.from([3, 2, 1]))).toThrow(/^current /);
    expect(() => psiAgainstSummary(uniform, Float64Array.from([3, 2, 1]))).toThrow(/^current /);
  });

  it('refuses an empty sample and a fractional distance to the exact Smirnov tail, by name', () => {
    expect(() => smirnovExactSurvival(3, 0, 1)).toThrow(new RangeError('sample sizes must be integers >= 1, got 3 and 0'));
    expect(() => smirnovExactSurvival(2, 2, 0.5)).toThrow(new RangeError('w must be an integer, got 0.5'));
  });
});
