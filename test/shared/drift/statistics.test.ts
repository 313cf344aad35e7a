import { describe, expect, it } from 'vitest';
import {
  EMPTY_BIN_EPSILON,
  categoricalCounts,
  categoricalPsi,
  chiSquare,
  chiSquareSurvival,
  jensenShannon,
  kolmogorovSmirnov,
  kolmogorovSurvival,
  normalCdf,
  normedByDeviation,
  proportionsTest,
  psi,
  psiBinEdges,
  sortedFinite,
  standardDeviation,
  wasserstein,
  wassersteinNormed,
} from '../../../shared/drift/statistics.js';
import { normalSample, prng } from './random.js';

// Expected values come from closed forms, textbook tables, hand-worked examples, or literals
// computed offline with scipy 1.17.1 / numpy 2.4.6 (each says which call); none calls the
// module's own numerics (the test has its own erf for the normal CDF). The suite never runs
// Python: the literals are in the file.

/** Independent Phi for |x| < 4: the Maclaurin series of erf (terms alternate; plenty of digits left). */
function referencePhi(x: number): number {
  const z = x / Math.SQRT2;
  let term = z;
  let sum = z;
  for (let n = 1; n < 200; n++) {
    term *= (-z * z) / n;
    sum += term / (2 * n + 1);
  }
  return 0.5 + sum / Math.sqrt(Math.PI);
}

const sampleSize = 200_000;
const standard = normalSample(1, sampleSize);
const standardAgain = normalSample(2, sampleSize);
const shifted = normalSample(3, sampleSize, 0.5);
const wider = normalSample(4, sampleSize, 0, 2);
const widerBy15 = normalSample(5, sampleSize, 0, 1.5);

/** n evenly spaced values k * step + offset, k = 0..n-1: numpy's np.arange(n) * step + offset, bit for bit. */
function grid(n: number, step = 1, offset = 0): Float64Array {
  return Float64Array.from({ length: n }, (_, k) => k * step + offset);
}

/** Exact standard normal deciles (Phi^-1(k/10), tables). */
const normalDeciles = [-1.2815515655446004, -0.8416212335729143, -0.5244005127080407, -0.2533471031357997, 0, 0.2533471031357997, 0.5244005127080407, 0.8416212335729143, 1.2815515655446004];

/** Population PSI of N(mean, sd^2) against N(0, 1) over the exact deciles: every reference bin holds 0.1. */
function exactPsi(mean: number, sd: number): number {
  const cdf = [0, ...normalDeciles.map((edge) => referencePhi((edge - mean) / sd)), 1];
  let total = 0;
  for (let k = 0; k < 10; k++) {
    const current = (cdf[k + 1] as number) - (cdf[k] as number);
    total += (current - 0.1) * Math.log(current / 0.1);
  }
  return total;
}

describe('sortedFinite', () => {
  it('drops null, undefined, NaN and infinities and sorts numerically', () => {
    expect([...sortedFinite([3, null, -1, NaN, undefined, Infinity, 10, -Infinity, 2])]).toEqual([-1, 2, 3, 10]);
    expect([...sortedFinite(new Set([5, 1, NaN, 3]))]).toEqual([1, 3, 5]);
    expect([...sortedFinite(new Float32Array([2, 1]))]).toEqual([1, 2]);
    expect(sortedFinite([null, NaN])).toHaveLength(0);
  });

  it('sorts large inputs (the radix path) exactly as the native numeric sort does', () => {
    const uniform = prng(7);
    const special = [0, -0, 5e-324, -5e-324, 1e308, -1e308, 1, -1, 2.5, -2.5];
    const values = Array.from({ length: 100_000 }, (_, k) =>
      k % 3 === 0 ? (special[k % special.length] as number) : k % 3 === 1 ? (uniform() - 0.5) * 1e6 : Math.round((uniform() - 0.5) * 20),
    );
    const sorted = sortedFinite([...values, NaN, null, Infinity]);
    const expected = Float64Array.from(values).sort();
    expect(sorted).toHaveLength(values.length);
    // Object.is tells -0 from 0: the radix order must put every -0 first, as the native sort does.
    let firstMismatch = -1;
    for (let k = 0; k < expected.length && firstMismatch < 0; k++) if (!Object.is(sorted[k], expected[k])) firstMismatch = k;
    expect(firstMismatch).toBe(-1);
  });

  it('grows its buffer for long iterables of unknown length', () => {
    function* values(): Generator<number> {
      for (let k = 5000; k > 0; k--) yield k;
    }
    const sorted = sortedFinite(values());
    expect(sorted).toHaveLength(5000);
    expect(sorted[0]).toBe(1);
    expect(sorted[4999]).toBe(5000);
  });
});

describe('normalCdf', () => {
  it('matches table values', () => {
    expect(normalCdf(0)).toBe(0.5);
    expect(normalCdf(1.96)).toBeCloseTo(0.975002, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 7);
    expect(normalCdf(-1)).toBeCloseTo(0.158655, 6);
  });

  it('keeps relative accuracy in both tails and is symmetric', () => {
    // Reference values: 0.5 * erfc(-x / sqrt 2) in double precision.
    const cases: [number, number][] = [
      [0.25, 0.5987063256829237],
      [0.5, 0.6914624612740131],
      [1.96, 0.9750021048517795],
      [-3, 0.0013498980316300957],
      [-6, 9.865876450377012e-10],
      [-10, 7.619853024160593e-24],
      [-20, 2.7536241186063314e-89],
    ];
    for (const [x, expected] of cases) expect(Math.abs(normalCdf(x) / expected - 1)).toBeLessThan(1e-12);
    for (const x of [0.1, 0.7, 2, 4.5, 7]) expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 14);
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
  });

  it('agrees with an independent erf series over the middle range', () => {
    for (let x = -3.5; x <= 3.5; x += 0.137) expect(normalCdf(x)).toBeCloseTo(referencePhi(x), 12);
  });
});

describe('psi', () => {
  it('is 0 for identical samples', () => {
    expect(psi(standard, standard)).toBe(0);
    expect(psi(standard, standard.slice(), 20)).toBe(0);
  });

  it('matches the PSI of exact bin probabilities for a shifted mean and a changed variance', () => {
    expect(exactPsi(0.5, 1)).toBeCloseTo(0.23775, 4); // hand-checked population value
    expect(psi(standard, shifted)).toBeCloseTo(exactPsi(0.5, 1), 2);
    expect(psi(standard, widerBy15)).toBeCloseTo(exactPsi(0, 1.5), 2);
    // Sampling noise between two samples of one distribution is about (bins - 1) (1/n + 1/m).
    expect(psi(standard, standardAgain)).toBeLessThan(0.001);
  });

  it('uses the reference deciles as edges, by linear interpolation', () => {
    const edges = psiBinEdges(standard);
    for (let k = 0; k < 9; k++) {
      // Within 4 standard errors of a sample quantile: sqrt(p (1 - p) / n) / density at the quantile.
      const z = normalDeciles[k] as number;
      const p = (k + 1) / 10;
      const standardError = Math.sqrt((p * (1 - p)) / sampleSize) / (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI));
      expect(Math.abs((edges[k] as number) - z)).toBeLessThan(4 * standardError);
    }
    const oneToTen = Float64Array.from({ length: 10 }, (_, k) => k + 1);
    expect([...psiBinEdges(oneToTen)].map((e) => Number(e.toFixed(10)))).toEqual([1.9, 2.8, 3.7, 4.6, 5.5, 6.4, 7.3, 8.2, 9.1]);
  });

  it('puts values tied with an edge in the lower bin, on both sides', () => {
    // Reference 0..10: its type-7 deciles are exactly the data values 1, 2, ..., 9, so most
    // values of both samples sit on an edge. numpy 2.4.6, offline: edges =
    // np.quantile(reference, [0.1, ..., 0.9]), bin = np.searchsorted(edges, x, side='left')
    // (x <= edge stays below), empty shares 1e-4, sum (c - r) ln(c / r) = 2.038187964682082.
    // Ties moved up instead (side='right') give 2.0771899387947586.
    const reference = grid(11);
    const current = Float64Array.from([1, 1, 1, 2, 2, 5, 5, 5, 9, 9, 0.5, 3.5, 3.7, 6.2, 10]).sort();
    expect([...psiBinEdges(reference)]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(psi(reference, current)).toBeCloseTo(2.038187964682082, 12);
  });

  it('has open-ended outer bins and counts empty bins as epsilon', () => {
    const oneToTen = Float64Array.from({ length: 10 }, (_, k) => k + 1);
    // Everything in one bin that the reference gives 0.1: (1 - 0.1) ln(1 / 0.1) + 9 (eps - 0.1) ln(eps / 0.1).
    const expected = 0.9 * Math.log(10) + 9 * (1e-4 - 0.1) * Math.log(1e-4 / 0.1);
    expect(EMPTY_BIN_EPSILON).toBe(1e-4);
    expect(psi(oneToTen, new Float64Array(10).fill(-1000))).toBeCloseTo(expected, 12);
    expect(psi(oneToTen, new Float64Array(3).fill(1000))).toBeCloseTo(expected, 12);
  });

  it('treats a constant reference (repeated edges) without NaN', () => {
    const constant = new Float64Array(100).fill(7);
    expect(psi(constant, constant)).toBe(0);
    expect(Number.isFinite(psi(constant, Float64Array.from([7, 8, 9])))).toBe(true);
  });

  it('rejects empty and unsorted input and bad bins', () => {
    expect(() => psi(new Float64Array(0), standard)).toThrow(RangeError);
    expect(() => psi(standard, new Float64Array(0))).toThrow(/current is empty/);
    expect(() => psi(Float64Array.from([3, 2, 1]), standard)).toThrow(/ascending/);
    expect(() => psi(standard, Float64Array.from([1, NaN]))).toThrow(RangeError);
    expect(() => psi(standard, standard, 1)).toThrow(/bins/);
    expect(() => psi(standard, standard, 2.5)).toThrow(/bins/);
  });
});

describe('kolmogorovSmirnov', () => {
  it('is D 0 and p 1 for identical samples, also when one is the other repeated', () => {
    expect(kolmogorovSmirnov(standard, standard)).toEqual({ statistic: 0, pValue: 1, method: 'asymptotic' });
    const twice = Float64Array.from([1, 1, 2, 2, 3, 3]);
    expect(kolmogorovSmirnov(Float64Array.from([1, 2, 3]), twice)).toEqual({ statistic: 0, pValue: 1, method: 'exact' });
  });

  it('computes D by hand on small samples, ties included', () => {
    const { statistic, pValue } = kolmogorovSmirnov(Float64Array.from([1, 2, 3]), Float64Array.from([2, 3, 4]));
    expect(statistic).toBeCloseTo(1 / 3, 15);
    // scipy 1.17.1 ks_2samp([1, 2, 3], [2, 3, 4]): exact, p 1.0 (every arrangement reaches D >= 1/3).
    expect(pValue).toBe(1);
    // F_ref jumps to 2/3 at 0 while F_cur only reaches 1/3: D is 1/3, not the 2/3 seen mid-tie.
    expect(kolmogorovSmirnov(Float64Array.from([0, 0, 1]), Float64Array.from([0, 1, 1])).statistic).toBeCloseTo(1 / 3, 15);
    expect(kolmogorovSmirnov(Float64Array.from([0, 1]), Float64Array.from([5, 6])).statistic).toBe(1);
  });

  it('matches the definition, max over values of |F_ref - F_cur|, on small samples full of ties', () => {
    const uniform = prng(11);
    for (let trial = 0; trial < 50; trial++) {
      const draw = (size: number): Float64Array => Float64Array.from({ length: size }, () => Math.floor(uniform() * 6)).sort();
      const reference = draw(1 + Math.floor(uniform() * 30));
      const current = draw(1 + Math.floor(uniform() * 30));
      let expected = 0;
      for (const x of [...reference, ...current]) {
        const below = (sample: Float64Array): number => sample.filter((v) => v <= x).length / sample.length;
        expected = Math.max(expected, Math.abs(below(reference) - below(current)));
      }
      expect(kolmogorovSmirnov(reference, current).statistic).toBeCloseTo(expected, 14);
    }
  });

  it("gives scipy's exact p-value up to 10,000 values a side", () => {
    // [reference, current, D, p]: scipy 1.17.1 stats.ks_2samp(reference, current) with the
    // default method='auto', which is exact when max(n, m) <= 10,000; computed offline, with
    // grid(n, step, offset) as np.arange(n) * step + offset.
    const cases: [Float64Array, Float64Array, number, number][] = [
      [grid(40), grid(40, 1, 12), 0.3, 0.054141077480362725],
      [grid(7), grid(13, 1, 3), 0.6923076923076923, 0.01664086687306502],
      [grid(30, 3), grid(45, 2, 10), 0.13333333333333333, 0.880200562153877],
      [grid(997), grid(1499, 2 / 3, 60), 0.06303968610300548, 0.016217940457759254],
      [grid(3000, 3), grid(10_000, 0.9, 200), 0.022533333333333332, 0.18905921343331766],
      [grid(3000, 3), grid(10_000, 0.9, 300), 0.033633333333333335, 0.010566783231569317],
      [grid(100), grid(100, 1, 50), 0.5, 1.0024645454361508e-11],
      [grid(10_000), grid(10_000, 1, 150), 0.015, 0.21055778388518093],
    ];
    for (const [reference, current, statistic, pValue] of cases) {
      const result = kolmogorovSmirnov(reference, current);
      expect(result.statistic).toBeCloseTo(statistic, 14);
      expect(result.method).toBe('exact');
      expect(Math.abs(result.pValue / pValue - 1), `n ${reference.length}, m ${current.length}`).toBeLessThan(1e-9);
      // The test is symmetric in its samples.
      expect(Math.abs(kolmogorovSmirnov(current, reference).pValue / pValue - 1)).toBeLessThan(1e-9);
    }
  });

  it("switches to the asymptotic distribution above 10,000 values, within 1% of scipy's", () => {
    // scipy 1.17.1 ks_2samp, method='auto' (asymptotic here: kstwo.sf(D, round(n m / (n + m)))).
    // For grid(10_001) the exact distribution would give 0.21060499396886864.
    const cases: [Float64Array, Float64Array, number][] = [
      [grid(10_001), grid(10_001, 1, 150), 0.20855512853234703],
      [grid(20_000), grid(20_000, 1, 300), 0.021994157424191606],
    ];
    for (const [reference, current, pValue] of cases) {
      const result = kolmogorovSmirnov(reference, current);
      expect(result.method).toBe('asymptotic');
      expect(Math.abs(result.pValue / pValue - 1)).toBeLessThan(0.01);
    }
  });

  it('finds D = 2 Phi(0.25) - 1 for N(0,1) against N(0.5,1), with a tiny p-value', () => {
    const { statistic, pValue } = kolmogorovSmirnov(standard, shifted);
    expect(Math.abs(statistic - 0.1974126513658474)).toBeLessThan(0.006);
    expect(pValue).toBeLessThan(1e-6);
  });

  it('gives a p-value that is not small for two samples of one distribution', () => {
    const { statistic, pValue } = kolmogorovSmirnov(standard, standardAgain);
    expect(statistic).toBeLessThan(0.006);
    expect(pValue).toBeGreaterThan(0.01);
  });

  it('has a Kolmogorov survival function that matches the table', () => {
    // Critical values 1.2238, 1.3581, 1.6276 for 10%, 5%, 1%; others from the series, 200 terms.
    expect(kolmogorovSurvival(1.2238)).toBeCloseTo(0.1000234278356778, 12);
    expect(kolmogorovSurvival(1.3581)).toBeCloseTo(0.0499996304316674, 12);
    expect(kolmogorovSurvival(1.6276)).toBeCloseTo(0.010001537333060776, 12);
    expect(kolmogorovSurvival(0.5)).toBeCloseTo(0.9639452436648751, 12);
    expect(kolmogorovSurvival(1)).toBeCloseTo(0.26999967167735456, 12);
    expect(kolmogorovSurvival(2)).toBeCloseTo(0.0006709252557796953, 14);
    expect(kolmogorovSurvival(0)).toBe(1);
    // The two series meet at 1.18 without a step.
    expect(kolmogorovSurvival(1.18 - 1e-12)).toBeCloseTo(kolmogorovSurvival(1.18), 11);
  });
});

describe('wasserstein', () => {
  it('is 0 for identical samples', () => {
    expect(wasserstein(standard, standard)).toBe(0);
    expect(wasserstein(Float64Array.from([1, 2, 3]), Float64Array.from([1, 1, 2, 2, 3, 3]))).toBe(0);
  });

  it('is the shift for a shifted sample, by hand', () => {
    expect(wasserstein(Float64Array.from([1, 2, 3]), Float64Array.from([2, 3, 4]))).toBeCloseTo(1, 15);
    // |F1 - F2| is 1/2 on [0, 1) and 1/2 on [1, 3): 0.5 + 1.
    expect(wasserstein(Float64Array.from([0, 1]), Float64Array.from([1, 3]))).toBeCloseTo(1.5, 15);
    expect(wasserstein(Float64Array.from([5]), Float64Array.from([2]))).toBe(3);
  });

  it("matches scipy's wasserstein_distance on samples of different sizes", () => {
    // scipy 1.17.1 stats.wasserstein_distance(reference, current), computed offline.
    expect(wasserstein(Float64Array.from([0, 1, 3]), Float64Array.from([5, 6, 8, 9]))).toBeCloseTo(5.666666666666666, 12);
    expect(wasserstein(grid(30, 3), grid(45, 2, 10))).toBeCloseTo(10.499999999999996, 12);
    expect(wasserstein(grid(997), grid(1499, 2 / 3, 60))).toBeCloseTo(61.33333333333332, 10);
  });

  it('equals the mean |r_i - c_i| of the order statistics when both samples have the same size', () => {
    const uniform = prng(13);
    for (let trial = 0; trial < 50; trial++) {
      const size = 1 + Math.floor(uniform() * 40);
      const draw = (): Float64Array => Float64Array.from({ length: size }, () => Math.round(uniform() * 20) / 4 - 2).sort();
      const reference = draw();
      const current = draw();
      const expected = reference.reduce((sum, r, k) => sum + Math.abs(r - (current[k] as number)), 0) / size;
      expect(wasserstein(reference, current)).toBeCloseTo(expected, 12);
    }
  });

  it('is 0.5 for N(0,1) against N(0.5,1) and sqrt(2/pi) against N(0,2^2)', () => {
    expect(Math.abs(wasserstein(standard, shifted) - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(wasserstein(standard, wider) - Math.sqrt(2 / Math.PI))).toBeLessThan(0.01);
    expect(wasserstein(standard, standardAgain)).toBeLessThan(0.01);
  });

  it('is symmetric', () => {
    expect(wasserstein(shifted, standard)).toBeCloseTo(wasserstein(standard, shifted), 12);
  });
});

describe('wassersteinNormed', () => {
  // Closed forms: 1..n has mean (n + 1) / 2 and population variance (n^2 - 1) / 12; shifting a
  // sample by d moves every quantile by d (W1 = d); scaling a positive sample by c moves the
  // quantile at p from q to c q (W1 = the integral of (c - 1) q = (c - 1) mean).
  const n = 1000;
  const oneToN = grid(n, 1, 1);
  const sd = Math.sqrt((n * n - 1) / 12);

  it('has the population standard deviation of 1..n', () => {
    expect(standardDeviation(oneToN)).toBeCloseTo(sd, 10);
    expect(standardDeviation(Float64Array.from([2, 4, 4, 4, 5, 5, 7, 9]))).toBe(2);
    expect(standardDeviation(Float64Array.from([0.1, 0.1, 0.1]))).toBe(0);
  });

  it('is d / sd for a sample shifted by d', () => {
    for (const d of [0.5, 3, 40]) {
      const moved = oneToN.map((v) => v + d);
      expect(wasserstein(oneToN, moved)).toBeCloseTo(d, 9);
      expect(wassersteinNormed(oneToN, moved)).toBeCloseTo(d / sd, 12);
    }
    // 0.1 sd of N(0, 1), from a sample: the threshold Evidently uses.
    expect(Math.abs(wassersteinNormed(standard, standard.map((v) => v + 0.1)) - 0.1)).toBeLessThan(0.001);
  });

  it('is (c - 1) mean / sd for a positive sample scaled by c, whatever the unit', () => {
    const mean = (n + 1) / 2;
    for (const c of [1.2, 1.6]) {
      const scaled = oneToN.map((v) => v * c);
      expect(wasserstein(oneToN, scaled)).toBeCloseTo((c - 1) * mean, 9);
      expect(wassersteinNormed(oneToN, scaled)).toBeCloseTo(((c - 1) * mean) / sd, 12);
      // Cents instead of euros: the raw distance grows 100 times, the normed one not at all.
      expect(wassersteinNormed(oneToN.map((v) => v * 100), scaled.map((v) => v * 100))).toBeCloseTo(((c - 1) * mean) / sd, 10);
    }
  });

  it('is 0 for a constant reference and the same constant, Infinity for anything else', () => {
    const constant = Float64Array.from([5, 5, 5, 5]);
    expect(wassersteinNormed(constant, Float64Array.from([5, 5]))).toBe(0);
    expect(wassersteinNormed(constant, Float64Array.from([5, 6]))).toBe(Infinity);
    expect(normedByDeviation(0, 0)).toBe(0);
    expect(normedByDeviation(2, 4)).toBe(0.5);
  });

  it('refuses empty and unsorted samples like the other statistics', () => {
    expect(() => standardDeviation(new Float64Array(0))).toThrow(RangeError);
    expect(() => wassersteinNormed(Float64Array.from([3, 1, 2]), oneToN)).toThrow(/ascending/);
  });
});

describe('categorical statistics', () => {
  const reference = new Map([
    ['a', 10],
    ['b', 20],
    ['c', 30],
  ]);
  const current = new Map([
    ['a', 20],
    ['b', 20],
    ['c', 20],
  ]);

  it('counts categories and skips nulls', () => {
    expect(categoricalCounts(['x', null, 'y', 'x', undefined, ''])).toEqual(
      new Map([
        ['x', 2],
        ['y', 1],
        ['', 1],
      ]),
    );
  });

  it('computes chi-square on a hand-worked 2 x 3 table', () => {
    // Totals 60 | 60, columns 30, 40, 50, N 120: expected 15, 20, 25 in both rows.
    // (10-15)^2/15 + 0 + (30-25)^2/25 + (20-15)^2/15 + 0 + (20-25)^2/25 = 10/3 + 2 = 16/3.
    const result = chiSquare(reference, current);
    expect(result.statistic).toBeCloseTo(16 / 3, 12);
    expect(result.degreesOfFreedom).toBe(2);
    // With 2 degrees of freedom the survival function is exp(-x / 2).
    expect(result.pValue).toBeCloseTo(Math.exp(-8 / 3), 12);
  });

  it("applies Yates' continuity correction to 2 x 2 tables by default, as scipy's chi2_contingency does", () => {
    // [reference counts, current counts, corrected statistic and p, uncorrected statistic and p]:
    // scipy 1.17.1 stats.chi2_contingency([reference, current]) with correction=True (its
    // default) and correction=False, computed offline.
    const cases: [[number, number], [number, number], [number, number], [number, number]][] = [
      [[6, 34], [14, 26], [3.2666666666666666, 0.07070114486598289], [4.266666666666667, 0.03886710381241731]],
      [[20, 80], [35, 65], [4.915360501567398, 0.02661890761245943], [5.642633228840125, 0.017528861260372782]],
      // Every |O - E| is below 1/2: the correction takes it to 0, never past it.
      [[5, 5], [5, 6], [0, 1], [0.043388429752066124, 0.8349955942110459]],
    ];
    const counts = ([yes, no]: [number, number]) => new Map([['yes', yes], ['no', no]]);
    for (const [reference, current, corrected, uncorrected] of cases) {
      const byDefault = chiSquare(counts(reference), counts(current));
      expect(byDefault.degreesOfFreedom).toBe(1);
      expect(byDefault.statistic).toBeCloseTo(corrected[0], 12);
      expect(byDefault.pValue).toBeCloseTo(corrected[1], 12);
      const plain = chiSquare(counts(reference), counts(current), { correction: false });
      expect(plain.statistic).toBeCloseTo(uncorrected[0], 12);
      expect(plain.pValue).toBeCloseTo(uncorrected[1], 12);
    }
    // More than two categories: no correction, as in scipy (chi2_contingency([[10, 20, 30], [20, 20, 20]]) = 5.333333333333334 either way).
    expect(chiSquare(reference, current).statistic).toBeCloseTo(5.333333333333334, 12);
    expect(chiSquare(reference, current, { correction: false }).statistic).toBeCloseTo(5.333333333333334, 12);
  });

  it('has a chi-square survival function that matches the table and the closed forms', () => {
    // Table critical values (3 decimals) for p = 0.05 and 0.01.
    expect(chiSquareSurvival(5.991, 2)).toBeCloseTo(0.05, 3);
    expect(chiSquareSurvival(3.841, 1)).toBeCloseTo(0.05, 3);
    expect(chiSquareSurvival(18.307, 10)).toBeCloseTo(0.05, 3);
    expect(chiSquareSurvival(6.635, 1)).toBeCloseTo(0.01, 3);
    expect(chiSquareSurvival(43.773, 30)).toBeCloseTo(0.05, 3);
    expect(chiSquareSurvival(124.342, 100)).toBeCloseTo(0.05, 3);
    // Even df: Q = exp(-x/2) sum_{i < df/2} (x/2)^i / i!; both branches (series and fraction), and large df.
    expect(chiSquareSurvival(3, 10)).toBeCloseTo(0.9814240637778593, 12);
    expect(chiSquareSurvival(40, 4) / 4.328422607120969e-8).toBeCloseTo(1, 10);
    expect(chiSquareSurvival(2000, 2000)).toBeCloseTo(0.4957947558196654, 10);
    expect(chiSquareSurvival(21_000, 20_000) / 4.27587245503326e-7).toBeCloseTo(1, 8);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(() => chiSquareSurvival(1, 0)).toThrow(RangeError);
  });

  it('reports no drift for identical or proportional counts', () => {
    expect(chiSquare(reference, reference)).toEqual({ statistic: 0, pValue: 1, degreesOfFreedom: 2 });
    const doubled = new Map([...reference].map(([k, v]) => [k, 2 * v] as [string, number]));
    expect(chiSquare(reference, doubled).statistic).toBeCloseTo(0, 12);
    expect(jensenShannon(reference, reference)).toBe(0);
    expect(jensenShannon(reference, doubled)).toBe(0);
    expect(categoricalPsi(reference, doubled)).toBe(0);
    expect(chiSquare(new Map([['a', 5]]), new Map([['a', 9]]))).toEqual({ statistic: 0, pValue: 1, degreesOfFreedom: 0 });
  });

  it('computes Jensen-Shannon distance on exact distributions', () => {
    // [0.5, 0.5] vs [0.9, 0.1]: M = [0.7, 0.3];
    // JSD = (0.5 log2(5/7) + 0.5 log2(5/3) + 0.9 log2(9/7) + 0.1 log2(1/3)) / 2 = 0.146793.
    const byHand = Math.sqrt((0.5 * Math.log2(5 / 7) + 0.5 * Math.log2(5 / 3) + 0.9 * Math.log2(9 / 7) + 0.1 * Math.log2(1 / 3)) / 2);
    const js = jensenShannon(new Map([['x', 50], ['y', 50]]), new Map([['x', 90], ['y', 10]]));
    expect(js).toBeCloseTo(byHand, 14);
    expect(js).toBeCloseTo(0.383136, 6);
    // [.25, .25, .5] vs [.5, .5, 0]: a category missing from current.
    expect(jensenShannon(new Map([['x', 1], ['y', 1], ['z', 2]]), new Map([['x', 1], ['y', 1]]))).toBeCloseTo(0.5579230452841438, 14);
    // Nothing in common: the maximum, 1.
    expect(jensenShannon(new Map([['x', 3]]), new Map([['y', 4]]))).toBe(1);
  });

  it('sees a new category that only the current sample has', () => {
    const before = new Map([['a', 500], ['b', 500]]);
    const same = new Map([['a', 500], ['b', 500]]);
    const withNew = new Map([['a', 480], ['b', 480], ['new', 40]]);
    expect(jensenShannon(before, same)).toBe(0);
    expect(jensenShannon(before, withNew)).toBeGreaterThan(0.1);
    const test = chiSquare(before, withNew);
    expect(test.degreesOfFreedom).toBe(2);
    // Column "new": expected 20 and 20, observed 0 and 40 -> 20 + 20, plus 4 x (10^2 / 490).
    expect(test.statistic).toBeCloseTo(40 + 400 / 490, 10);
    expect(test.pValue).toBeLessThan(1e-8);
    // PSI: the new category counts as epsilon in the reference: (0.04 - eps) ln(0.04 / eps) + 2 (0.48 - 0.5) ln(0.96).
    expect(categoricalPsi(before, withNew)).toBeCloseTo((0.04 - 1e-4) * Math.log(0.04 / 1e-4) + 2 * -0.02 * Math.log(0.96), 12);
  });

  it('ignores categories counted 0 on both sides and rejects empty or bad counts', () => {
    const withZero = new Map([['a', 10], ['b', 20], ['c', 30], ['gone', 0]]);
    expect(chiSquare(withZero, new Map([...current, ['gone', 0]]))).toEqual(chiSquare(reference, current));
    expect(() => chiSquare(new Map(), current)).toThrow(/reference is empty/);
    expect(() => jensenShannon(reference, new Map([['a', 0]]))).toThrow(/current is empty/);
    expect(() => categoricalPsi(new Map([['a', -1], ['b', 3]]), current)).toThrow(/>= 0/);
    expect(() => chiSquare(new Map([['a', NaN]]), current)).toThrow(RangeError);
  });
});

describe('proportionsTest', () => {
  it('detects a fraud rate going from 0.5% to 3% with 10,000 rows each', () => {
    const { z, pValue } = proportionsTest(50, 10_000, 300, 10_000);
    // Pooled 350 / 20,000 = 0.0175; z = 0.025 / sqrt(0.0175 x 0.9825 x 2 / 10,000) = 13.4815.
    expect(z).toBeCloseTo(0.025 / Math.sqrt((0.0175 * 0.9825 * 2) / 10_000), 10);
    expect(z).toBeCloseTo(13.4815, 4);
    expect(pValue).toBeLessThan(1e-10);
    expect(proportionsTest(300, 10_000, 50, 10_000).z).toBeCloseTo(-z, 12);
  });

  it('reports no drift for equal rates, and for all-negative or all-positive samples', () => {
    expect(proportionsTest(50, 10_000, 50, 10_000)).toEqual({ z: 0, pValue: 1 });
    expect(proportionsTest(25, 5_000, 50, 10_000).pValue).toBe(1);
    expect(proportionsTest(0, 100, 0, 300)).toEqual({ z: 0, pValue: 1 });
    expect(proportionsTest(100, 100, 300, 300)).toEqual({ z: 0, pValue: 1 });
  });

  it('gives the two-sided p-value of a borderline difference', () => {
    // 50% vs 54.5% of 1,000: pooled 0.5225, z = 0.045 / sqrt(0.5225 x 0.4775 x 0.002) = 2.0145.
    const { z, pValue } = proportionsTest(500, 1_000, 545, 1_000);
    expect(z).toBeCloseTo(2.0145, 4);
    expect(pValue).toBeCloseTo(2 * (1 - referencePhi(z)), 10);
    expect(pValue).toBeCloseTo(0.044, 3);
  });

  it('rejects impossible counts', () => {
    expect(() => proportionsTest(1, 0, 1, 10)).toThrow(/referenceTotal/);
    expect(() => proportionsTest(11, 10, 1, 10)).toThrow(/referencePositives/);
    expect(() => proportionsTest(1, 10, -1, 10)).toThrow(/currentPositives/);
  });
});
