import { describe, expect, it } from 'vitest';
import { summaryStandardDeviation, wassersteinAgainstSummary, type QuantileSummary } from '../../../shared/drift/quantile-summary.js';

/**
 * Summaries small enough to work out by hand: survivors of the drift-summary mutation run
 * (docs/testing.md). Each summary stands for 1,000 values, so its quantiles are knots of a
 * piecewise-linear CDF, not the values themselves.
 */
const summary = (quantiles: number[]): QuantileSummary => ({ count: 1_000, quantiles: Float64Array.from(quantiles) });

describe('Wasserstein against a summary, where its CDF crosses the current one inside an interval', () => {
  it('integrates |G - F| as two triangles where they cross', () => {
    // G is uniform on [0, 1]. Current {-1, 2}: F = 1/2 on [-1, 2). |G - F| integrates to
    // 1/2 on [-1, 0], 1/4 on [0, 1] (G crosses 1/2 at 0.5: two triangles of 1/8) and 1/2 on [1, 2].
    expect(wassersteinAgainstSummary(summary([0, 1]), Float64Array.from([-1, 2]))).toBeCloseTo(1.25, 12);
    // Current {-1, -1, 2}: F = 2/3 on [-1, 2): 2/3 + ((2/3)^2 + (1/3)^2) / 2 + 1/3 = 23/18.
    expect(wassersteinAgainstSummary(summary([0, 1]), Float64Array.from([-1, -1, 2]))).toBeCloseTo(23 / 18, 12);
    // G uniform on [0, 4]; current {-2, 3, 3, 9}: F = 1/4 on [-2, 3), 3/4 on [3, 9).
    // [-2, 0]: 2 x 1/4; [0, 3]: G = t/4 crosses 1/4 at 1: (1 x 1/4 + 2 x 2/4) / 2 = 5/8;
    // [3, 4]: G from 3/4 to 1 against 3/4: 1/8; [4, 9]: 5 x 1/4. In all 1/2 + 5/8 + 1/8 + 5/4 = 5/2.
    expect(wassersteinAgainstSummary(summary([0, 4]), Float64Array.from([-2, 3, 3, 9]))).toBeCloseTo(2.5, 12);
    // G uniform on [0, 4]; current {-1, 2, 9}: F = 1/3 on [-1, 2), 2/3 on [2, 9). Both crossings
    // start above G = 0: [0, 2] (G 0 -> 1/2 against 1/3) gives 5/18, [2, 4] (G 1/2 -> 1 against
    // 2/3) 2 x ((1/6)^2 + (1/3)^2) / (2 x 1/2) = 5/18; with [-1, 0] 1/3 and [4, 9] 5/3: 23/9.
    expect(wassersteinAgainstSummary(summary([0, 4]), Float64Array.from([-1, 2, 9]))).toBeCloseTo(23 / 9, 12);
  });
});

/** Population deviation of mass spread evenly over the given steps, 1 / steps each (the definition, written out). */
function deviationOfSteps(steps: Array<[number, number]>): number {
  const mean = steps.reduce((sum, [a, b]) => sum + (a + b) / 2, 0) / steps.length;
  // E[(X - mean)^2] over a uniform step [a, b] is ((a - mean)^2 + (a - mean)(b - mean) + (b - mean)^2) / 3.
  const second = steps.reduce((sum, [a, b]) => sum + ((a - mean) ** 2 + (a - mean) * (b - mean) + (b - mean) ** 2) / 3, 0) / steps.length;
  return Math.sqrt(second);
}

describe('summary standard deviation with narrowed outer steps', () => {
  it('narrows each outer step to twice the width of its neighbour, from 3 steps up', () => {
    // Five knots, 4 steps: the outer ones become [10 - 2 x 2, 10] and [14, 14 + 2 x 2].
    expect(summaryStandardDeviation(summary([0, 10, 12, 14, 100]))).toBeCloseTo(deviationOfSteps([[6, 10], [10, 12], [12, 14], [14, 18]]), 12);
    expect(deviationOfSteps([[6, 10], [10, 12], [12, 14], [14, 18]])).toBeCloseTo(Math.sqrt(28 / 3), 12);
    // Four knots, 3 steps: both outer steps narrow, around a middle one.
    expect(summaryStandardDeviation(summary([0, 10, 12, 100]))).toBeCloseTo(Math.sqrt(7), 12);
    // An outer step already narrower than twice its neighbour keeps its width.
    expect(summaryStandardDeviation(summary([9, 10, 12, 14, 15]))).toBeCloseTo(deviationOfSteps([[9, 10], [10, 12], [12, 14], [14, 15]]), 12);
  });

  it('keeps the raw steps with fewer than 3', () => {
    // Three knots, 2 steps: [0, 1] and [1, 5] as they are.
    expect(summaryStandardDeviation(summary([0, 1, 5]))).toBeCloseTo(deviationOfSteps([[0, 1], [1, 5]]), 12);
    expect(summaryStandardDeviation(summary([0, 5]))).toBeCloseTo(5 / Math.sqrt(12), 12);
  });
});
