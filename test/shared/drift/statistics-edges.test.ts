import { describe, expect, it } from 'vitest';
import {
  binProportions,
  categoricalPsi,
  checkSorted,
  chiSquare,
  chiSquareSurvival,
  jensenShannon,
  kolmogorovSmirnov,
  kolmogorovSmirnovPValue,
  kolmogorovSurvival,
  proportionsTest,
  psi,
  psiBinEdges,
  psiOfProportions,
  sortedFinite,
  wasserstein,
} from '../../../shared/drift/statistics.js';
import { prng } from './random.js';

// Small inputs and closed forms, each expectation worked from the definition in the test: the
// edges of the drift statistics that the large-sample tests in statistics.test.ts pass over.

const sorted = (values: number[]) => Float64Array.from(values).sort();

/** Empirical CDF of a sample at x: the share of values <= x. */
const ecdf = (sample: Float64Array, x: number) => sample.filter((v) => v <= x).length / sample.length;

/** W1 by its definition: the integral of |F - G| over the merged support, piece by piece. */
function referenceWasserstein(a: Float64Array, b: Float64Array): number {
  const points = [...new Set([...a, ...b])].sort((x, y) => x - y);
  let area = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const x = points[k] as number;
    area += Math.abs(ecdf(a, x) - ecdf(b, x)) * ((points[k + 1] as number) - x);
  }
  return area;
}

/** The chi-square upper tail for even df: exp(-x/2) sum_{i < df/2} (x/2)^i / i!. */
function evenChiSquareTail(x: number, df: number): number {
  let term = 1;
  let sum = 1;
  for (let i = 1; i < df / 2; i++) {
    term *= x / 2 / i;
    sum += term;
  }
  return Math.exp(-x / 2) * sum;
}

describe('input checks', () => {
  it('catches a descending pair at any probed position and names the argument', () => {
    expect(checkSorted(sorted([5]), 'x')).toBe(1);
    expect(checkSorted(Float64Array.from([1, 1, 2]), 'x')).toBe(3);
    expect(() => checkSorted(Float64Array.from([2, 1]), 'reference')).toThrow('reference must be an ascending Float64Array of finite values (use sortedFinite)');
    // 40 values: the probes are the first, the last and 31 spread between.
    const ascending = Array.from({ length: 40 }, (_, k) => k);
    expect(() => checkSorted(Float64Array.from([...ascending.slice(0, 39), -1]), 'current')).toThrow('current must be an ascending Float64Array of finite values (use sortedFinite)');
    expect(() => checkSorted(Float64Array.from([100, ...ascending.slice(1)]), 'current')).toThrow(RangeError);
    expect(() => checkSorted(Float64Array.from([NaN, 1]), 'x')).toThrow(RangeError);
    expect(() => checkSorted(Float64Array.from([1, Infinity]), 'x')).toThrow(RangeError);
    expect(() => checkSorted(Float64Array.from([-Infinity, 1]), 'x')).toThrow(RangeError);
    expect(() => checkSorted(new Float64Array(0), 'reference')).toThrow('reference is empty: drift needs at least one finite value on each side');
  });

  it('sorts -0 before 0 and keeps order exactly at the radix threshold', () => {
    expect([...sortedFinite([0, -0, -1, 1])].map((v) => Object.is(v, -0))).toEqual([false, true, false, false]);
    const random = prng(17);
    for (const n of [32_767, 32_768]) {
      // Values that share their high bits (1 + k ulp) and values far apart, both signs.
      const values = Array.from({ length: n }, (_, k) => (k % 2 ? 1 + Math.floor(random() * 1000) * 2 ** -52 : -(random() * 1e9)));
      expect([...sortedFinite(values)]).toEqual([...Float64Array.from(values).sort()]);
    }
    expect([...sortedFinite(new Array(40_000).fill(3.5))]).toEqual(new Array(40_000).fill(3.5));
  });
});

describe('PSI by hand', () => {
  it('puts edges at type-7 quantiles k / bins', () => {
    expect([...psiBinEdges(sorted([1, 2, 3, 4]), 2)]).toEqual([2.5]);
    expect([...psiBinEdges(sorted([0, 1, 2, 3, 4, 5, 6, 7, 8]), 4)]).toEqual([2, 4, 6]);
    // h = (n - 1) k / bins = 3 * 1/3 = 1 and 2: exactly the order statistics.
    expect([...psiBinEdges(sorted([10, 20, 30, 40]), 3)]).toEqual([20, 30]);
    expect([...psiBinEdges(sorted([7]), 2)]).toEqual([7]);
    expect(() => psiBinEdges(sorted([1, 2]), 1)).toThrow('bins must be an integer >= 2, got 1');
  });

  it('counts a value equal to an edge in the bin below it', () => {
    expect([...binProportions(sorted([1, 2, 2, 3]), Float64Array.from([2]))]).toEqual([0.75, 0.25]);
    expect([...binProportions(sorted([1, 2, 3, 4]), Float64Array.from([1, 3]))]).toEqual([0.25, 0.5, 0.25]);
    expect([...binProportions(sorted([5, 5]), Float64Array.from([1, 3]))]).toEqual([0, 0, 1]);
  });

  it('sums (c - r) ln(c / r), with an empty share counted as 1e-4', () => {
    expect(psiOfProportions([0.5, 0.5], [0.25, 0.75])).toBeCloseTo(-0.25 * Math.log(0.5) + 0.25 * Math.log(1.5), 15);
    expect(psiOfProportions([1, 0], [0, 1])).toBeCloseTo(2 * (1 - 1e-4) * Math.log(1 / 1e-4), 12);
    expect(psiOfProportions([0.3, 0.7], [0.3, 0.7])).toBe(0);
    // Reference 1..4, bins 2 (edge 2.5): reference shares [0.5, 0.5], current [1, 2, 2, 9] gives [0.75, 0.25].
    expect(psi(sorted([1, 2, 3, 4]), sorted([1, 2, 2, 9]), 2)).toBeCloseTo(0.25 * Math.log(1.5) - 0.25 * Math.log(0.5), 15);
  });

  it('gives categorical PSI over the union of categories', () => {
    const reference = new Map([
      ['a', 3],
      ['b', 1],
    ]);
    const current = new Map([
      ['a', 1],
      ['c', 1],
    ]);
    // Shares a: 0.75 -> 0.5, b: 0.25 -> eps, c: eps -> 0.5.
    const expected = (0.5 - 0.75) * Math.log(0.5 / 0.75) + (1e-4 - 0.25) * Math.log(1e-4 / 0.25) + (0.5 - 1e-4) * Math.log(0.5 / 1e-4);
    expect(categoricalPsi(reference, current)).toBeCloseTo(expected, 12);
  });
});

describe('Kolmogorov-Smirnov and Wasserstein on small samples', () => {
  it('matches the definitions on random small samples with ties, of different sizes', () => {
    const random = prng(29);
    for (let trial = 0; trial < 200; trial++) {
      const a = sorted(Array.from({ length: 1 + (trial % 7) }, () => Math.floor(random() * 6)));
      const b = sorted(Array.from({ length: 1 + (trial % 5) }, () => Math.floor(random() * 6) + (trial % 3) * 0.5));
      const d = Math.max(...[...a, ...b].map((x) => Math.abs(ecdf(a, x) - ecdf(b, x))));
      expect(kolmogorovSmirnov(a, b).statistic).toBeCloseTo(d, 12);
      expect(wasserstein(a, b)).toBeCloseTo(referenceWasserstein(a, b), 12);
    }
  });

  it('uses the exact p-value up to 10,000 values a side and the asymptotic one above', () => {
    expect(kolmogorovSmirnovPValue(0.1, 10_000, 10).method).toBe('exact');
    expect(kolmogorovSmirnovPValue(0.1, 10_001, 10).method).toBe('asymptotic');
    expect(kolmogorovSmirnovPValue(0.1, 10, 10_001).method).toBe('asymptotic');
    // n = m = 1: D is 1 on every one of the 2 orders.
    expect(kolmogorovSmirnovPValue(1, 1, 1)).toEqual({ pValue: 1, method: 'exact' });
    // n = m = 2: of the 6 orders, 2 (aabb, bbaa) reach D = 1.
    expect(kolmogorovSmirnovPValue(1, 2, 2).pValue).toBeCloseTo(2 / 6, 15);
    // A D between lattice points rounds to the nearest one (multiples of 1/2 here).
    expect(kolmogorovSmirnovPValue(0.9, 2, 2).pValue).toBeCloseTo(2 / 6, 15);
    expect(kolmogorovSmirnovPValue(0, 3, 4)).toEqual({ pValue: 1, method: 'exact' });
  });

  it('refuses sizes and statistics out of range', () => {
    expect(() => kolmogorovSmirnovPValue(0.5, 0, 3)).toThrow('sample sizes must be integers >= 1, got 0 and 3');
    expect(() => kolmogorovSmirnovPValue(0.5, 3, 1.5)).toThrow(RangeError);
    expect(() => kolmogorovSmirnovPValue(-0.1, 3, 3)).toThrow('a KS statistic lies in [0, 1], got -0.1');
    expect(() => kolmogorovSmirnovPValue(1.1, 3, 3)).toThrow(RangeError);
    expect(() => kolmogorovSmirnovPValue(NaN, 3, 3)).toThrow(RangeError);
  });

  it('has a Kolmogorov tail of 1 at and below 0 and the alternating series above', () => {
    expect(kolmogorovSurvival(-1)).toBe(1);
    expect(kolmogorovSurvival(NaN)).toBe(1);
    for (const lambda of [0.3, 0.8, 1.17, 1.19, 1.5, 2.5, 3]) {
      let series = 0;
      for (let j = 1; j <= 200; j++) series += 2 * (-1) ** (j - 1) * Math.exp(-2 * j * j * lambda * lambda);
      const expected = Math.min(1, Math.max(0, series));
      if (expected > 1e-300) expect(kolmogorovSurvival(lambda) / expected, `lambda ${lambda}`).toBeCloseTo(1, 10);
    }
    expect(kolmogorovSurvival(0.1)).toBe(1);
  });
});

describe('categorical and rate statistics by hand', () => {
  it('follows the closed forms of the chi-square tail on both sides of x = df/2 + 1', () => {
    for (const df of [2, 4, 6, 10, 20, 40]) {
      for (const x of [0.05, 0.5, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89]) {
        const expected = evenChiSquareTail(x, df);
        expect(chiSquareSurvival(x, df) / expected, `x ${x}, df ${df}`).toBeCloseTo(1, 9);
      }
    }
    expect(chiSquareSurvival(-1, 3)).toBe(1);
    expect(chiSquareSurvival(NaN, 3)).toBeNaN();
    expect(() => chiSquareSurvival(1, -2)).toThrow('degreesOfFreedom must be > 0, got -2');
    // df = 1: P(Z^2 > x) = 2 (1 - Phi(sqrt x)); at x = 1 that is 0.31731050786291415 (tables).
    expect(chiSquareSurvival(1, 1)).toBeCloseTo(0.31731050786291415, 12);
    // df = 0.5 (a < 1/2 takes the reflection branch of log Gamma) must still be a probability that falls with x.
    const small = [0.1, 1, 5].map((x) => chiSquareSurvival(x, 0.5));
    expect(small.every((p) => p > 0 && p < 1)).toBe(true);
    expect(small[0]! > small[1]! && small[1]! > small[2]!).toBe(true);
  });

  it('computes chi-square from the 2 x k table, with and without Yates', () => {
    const reference = new Map([
      ['a', 10],
      ['b', 30],
      ['z', 0],
    ]);
    const current = new Map([
      ['a', 20],
      ['b', 20],
      ['z', 0],
    ]);
    // Expected 15 and 25 in each row; |O - E| = 5 everywhere; the unused category adds nothing.
    const plain = 2 * (25 / 15) + 2 * (25 / 25);
    expect(chiSquare(reference, current, { correction: false })).toMatchObject({ statistic: expect.closeTo(plain, 12), degreesOfFreedom: 1 });
    const yates = 2 * (4.5 ** 2 / 15) + 2 * (4.5 ** 2 / 25);
    expect(chiSquare(reference, current).statistic).toBeCloseTo(yates, 12);
    // |O - E| below 1/2 is corrected to 0, not below.
    expect(chiSquare(new Map([['a', 10], ['b', 10]]), new Map([['a', 10], ['b', 11]])).statistic).toBe(0);
    // One category: nothing to compare.
    expect(chiSquare(new Map([['a', 4]]), new Map([['a', 9]]))).toEqual({ statistic: 0, pValue: 1, degreesOfFreedom: 0 });
    // Three categories are never corrected.
    const three = chiSquare(new Map([['a', 1], ['b', 1], ['c', 2]]), new Map([['a', 2], ['b', 1], ['c', 1]]));
    expect(three.degreesOfFreedom).toBe(2);
    // Expected a 1.5/1.5, b 1/1, c 1.5/1.5: (0.25/1.5) * 4.
    expect(three.statistic).toBeCloseTo(1 / 1.5, 12);
    expect(three.pValue).toBeCloseTo(Math.exp(-1 / 3), 12);
  });

  it('refuses negative, infinite or all-zero counts, naming the category', () => {
    expect(() => chiSquare(new Map([['a', -1]]), new Map([['a', 1]]))).toThrow('reference: count of "a" is -1; counts must be finite and >= 0');
    expect(() => jensenShannon(new Map([['a', 1]]), new Map([['b', Infinity]]))).toThrow('current: count of "b" is Infinity');
    expect(() => categoricalPsi(new Map([['a', 0]]), new Map([['a', 1]]))).toThrow('reference is empty: drift needs at least one counted category on each side');
  });

  it('gives Jensen-Shannon distance 1 for disjoint categories and the log-2 formula otherwise', () => {
    expect(jensenShannon(new Map([['a', 5]]), new Map([['b', 2]]))).toBe(1);
    // P = (1/2, 1/2), Q = (1, 0): M = (3/4, 1/4); JSD = (KL(P||M) + KL(Q||M)) / 2.
    const kl = (p: number[], m: number[]) => p.reduce((sum, x, i) => (x ? sum + x * Math.log2(x / (m[i] as number)) : sum), 0);
    const jsd = (kl([0.5, 0.5], [0.75, 0.25]) + kl([1, 0], [0.75, 0.25])) / 2;
    expect(jensenShannon(new Map([['a', 1], ['b', 1]]), new Map([['a', 3]]))).toBeCloseTo(Math.sqrt(jsd), 14);
    expect(jensenShannon(new Map([['a', 3]]), new Map([['a', 1], ['b', 1]]))).toBeCloseTo(Math.sqrt(jsd), 14);
  });

  it('runs the pooled two-proportion z-test by hand, and names impossible counts', () => {
    // 10/100 against 20/100: pooled 0.15, se = sqrt(0.15 * 0.85 * 0.02).
    const z = 0.1 / Math.sqrt(0.15 * 0.85 * 0.02);
    const result = proportionsTest(10, 100, 20, 100);
    expect(result.z).toBeCloseTo(z, 12);
    expect(proportionsTest(20, 100, 10, 100).z).toBeCloseTo(-z, 12);
    // Two-sided: 2 (1 - Phi(1.98029508595)) = 0.04767 (tables, 4 digits).
    expect(result.pValue).toBeCloseTo(0.04767, 4);
    expect(proportionsTest(0, 50, 0, 80)).toEqual({ z: 0, pValue: 1 });
    expect(proportionsTest(50, 50, 80, 80)).toEqual({ z: 0, pValue: 1 });
    expect(proportionsTest(5, 10, 50, 100).pValue).toBe(1);
    expect(() => proportionsTest(1, 0, 1, 2)).toThrow('referenceTotal must be a finite number > 0, got 0');
    expect(() => proportionsTest(1, 2, 3, 2)).toThrow('currentPositives must be in [0, currentTotal], got 3 of 2');
    expect(() => proportionsTest(-1, 2, 1, 2)).toThrow(RangeError);
    expect(() => proportionsTest(1, Infinity, 1, 2)).toThrow(RangeError);
    expect(() => proportionsTest(NaN, 2, 1, 2)).toThrow(RangeError);
  });
});
