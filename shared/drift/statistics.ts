/**
 * Drift statistics: pure functions, no I/O, no dependencies beyond smirnov-exact.ts.
 *
 * Numeric inputs are ascending-sorted Float64Arrays of finite values (build them with
 * `sortedFinite`), so that every two-sample statistic is one O(n + m) merge and PSI is a few
 * binary searches. Sorting is the caller's, once per sample, because a reference sample is
 * compared with many current windows. Sortedness is spot-checked (first, last and 31 evenly
 * spaced elements), not proven: an unsorted array is caught with near certainty at O(1) cost,
 * a reversed pair somewhere in the middle is not.
 *
 * Categorical inputs are counts per category (`categoricalCounts`); a category missing from one
 * map counts 0 there, so every categorical statistic works on the union of categories.
 *
 * Edge cases, the same everywhere:
 * - an empty sample, or counts that total 0, throws a RangeError naming the argument;
 * - negative or non-finite counts, `bins` that is not an integer >= 2, positives outside
 *   [0, total], a total <= 0, and numeric input that fails the sortedness spot check throw a
 *   RangeError;
 * - identical samples give exactly no drift: psi 0, KS statistic 0 with p-value 1,
 *   Wasserstein 0, chi-square 0 with p-value 1, Jensen-Shannon 0, categorical PSI 0;
 * - a category (or PSI bin) present in only one sample: PSI replaces its empty proportion with
 *   EMPTY_BIN_EPSILON (the log would otherwise be infinite); chi-square and Jensen-Shannon need
 *   no such fix (its expected counts are positive in both rows; 0 * log 0 is taken as 0);
 * - a category whose count is 0 in both maps is ignored (it would add 0/0 to chi-square and a
 *   degree of freedom that carries no information).
 */

import { greatestCommonDivisor, smirnovExactSurvival } from './smirnov-exact.js';

/**
 * The proportion PSI uses for a bin (or category) that is empty in one sample (a common
 * choice). The PSI of such a bin is then large but finite: (p - 1e-4) * ln(p / 1e-4), e.g.
 * 0.69 for p = 0.1, so one emptied decile alone reads as a major shift (> 0.25).
 */
export const EMPTY_BIN_EPSILON = 1e-4;

// ---------------------------------------------------------------------------------------------
// Inputs

/**
 * Drops null, undefined, NaN and +/-Infinity and returns the rest ascending. Array-likes
 * (arrays, typed arrays) take an indexed loop, other iterables a growing buffer.
 */
export function sortedFinite(values: Iterable<number | null | undefined>): Float64Array {
  let out: Float64Array;
  let count = 0;
  if (isArrayLike(values)) {
    const arrayLike = values;
    const length = arrayLike.length;
    out = new Float64Array(length);
    for (let k = 0; k < length; k++) {
      const value = arrayLike[k];
      if (typeof value === 'number' && Number.isFinite(value)) out[count++] = value;
    }
  } else {
    out = new Float64Array(1024);
    for (const value of values) {
      if (typeof value !== 'number' || !Number.isFinite(value)) continue;
      if (count === out.length) {
        const grown = new Float64Array(out.length * 2);
        grown.set(out);
        out = grown;
      }
      out[count++] = value;
    }
  }
  const finite = count === out.length ? out : out.slice(0, count);
  // A typed-array sort without a comparator is numeric (unlike Array#sort) but about 3 times
  // slower than a radix sort from 10^5 values up (bench/drift), and sorting dominates drift.
  return finite.length >= RADIX_THRESHOLD && LITTLE_ENDIAN ? radixSort(finite) : finite.sort();
}

const RADIX_THRESHOLD = 32_768;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** counts[index]++, returning the value before (noUncheckedIndexedAccess forbids the plain form). */
function increment(counts: Uint32Array, index: number): number {
  const value = counts[index] as number;
  counts[index] = value + 1;
  return value;
}

/**
 * In-place LSD radix sort of finite doubles, 4 passes of 16 bits over the 64-bit patterns. The
 * patterns are first mapped so that unsigned order is numeric order (negative: flip all bits;
 * positive: set the sign bit; so -0 sorts before +0, as in the native sort), and mapped back at
 * the end. A pass whose digit is the same for every value is skipped.
 */
function radixSort(values: Float64Array): Float64Array {
  const n = values.length;
  const original = new Uint32Array(values.buffer, values.byteOffset, n * 2);
  let source: Uint32Array = original;
  let target: Uint32Array = new Uint32Array(n * 2);
  const counts = new Uint32Array(4 * 65_536);
  for (let k = 0; k < 2 * n; k += 2) {
    let lo = source[k] as number;
    let hi = source[k + 1] as number;
    if (hi & 0x8000_0000) {
      lo = ~lo >>> 0;
      hi = ~hi >>> 0;
    } else {
      hi = (hi | 0x8000_0000) >>> 0;
    }
    source[k] = lo;
    source[k + 1] = hi;
    increment(counts, lo & 0xffff);
    increment(counts, 65_536 + (lo >>> 16));
    increment(counts, 131_072 + (hi & 0xffff));
    increment(counts, 196_608 + (hi >>> 16));
  }
  for (let pass = 0; pass < 4; pass++) {
    const base = pass * 65_536;
    let uniform = false;
    let offset = 0;
    for (let digit = 0; digit < 65_536; digit++) {
      const count = counts[base + digit] as number;
      if (count === n) {
        uniform = true;
        break;
      }
      counts[base + digit] = offset;
      offset += count;
    }
    if (uniform) continue;
    const highWord = pass >= 2;
    const shift = (pass & 1) * 16;
    for (let k = 0; k < n; k++) {
      const lo = source[2 * k] as number;
      const hi = source[2 * k + 1] as number;
      const digit = ((highWord ? hi : lo) >>> shift) & 0xffff;
      const position = increment(counts, base + digit) * 2;
      target[position] = lo;
      target[position + 1] = hi;
    }
    const swap = source;
    source = target;
    target = swap;
  }
  if (source !== original) original.set(source);
  for (let k = 0; k < 2 * n; k += 2) {
    const hi = original[k + 1] as number;
    if (hi & 0x8000_0000) {
      original[k + 1] = hi ^ 0x8000_0000;
    } else {
      original[k] = ~(original[k] as number);
      original[k + 1] = ~hi;
    }
  }
  return values;
}

function isArrayLike<T>(values: Iterable<T>): values is Iterable<T> & ArrayLike<T> {
  return typeof (values as { length?: unknown }).length === 'number';
}

/** Counts per category; null and undefined are skipped (they are the null rate, not a category). */
export function categoricalCounts(values: Iterable<string | null | undefined>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) {
    if (value === null || value === undefined) continue;
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  return counts;
}

/** Throws unless `sample` passes the sortedness spot check (see the top of this file); returns its length. */
export function checkSorted(sample: Float64Array, name: string): number {
  const n = sample.length;
  if (n === 0) throw new RangeError(`${name} is empty: drift needs at least one finite value on each side`);
  // 33 probes: a shuffled array passes with probability about 1/33!, and the ends catch the
  // NaN and +/-Infinity that a numeric sort would have put there.
  const probes = Math.min(n, 33);
  let previous = -Infinity;
  for (let k = 0; k < probes; k++) {
    const value = sample[probes === 1 ? 0 : Math.round((k * (n - 1)) / (probes - 1))] as number;
    if (!Number.isFinite(value) || value < previous) {
      throw new RangeError(`${name} must be an ascending Float64Array of finite values (use sortedFinite)`);
    }
    previous = value;
  }
  return n;
}

function checkCounts(counts: Map<string, number>, name: string): number {
  let total = 0;
  for (const [category, count] of counts) {
    if (!Number.isFinite(count) || count < 0) throw new RangeError(`${name}: count of "${category}" is ${count}; counts must be finite and >= 0`);
    total += count;
  }
  if (total === 0) throw new RangeError(`${name} is empty: drift needs at least one counted category on each side`);
  return total;
}

function unionOfCategories(a: Map<string, number>, b: Map<string, number>): string[] {
  const union = new Set(a.keys());
  for (const category of b.keys()) union.add(category);
  return [...union];
}

/** Index of the first element > x (so the count of elements <= x). */
function upperBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------
// Numeric features

/**
 * The inner PSI bin edges: the reference's quantiles at k / bins, k = 1..bins-1 (deciles by
 * default), by linear interpolation between order statistics (Hyndman-Fan type 7, the default
 * of R and numpy). Bins are (-inf, e1], (e1, e2], ..., (e_last, +inf): open-ended so that
 * current values outside the reference's range still land in a bin.
 */
export function psiBinEdges(referenceSorted: Float64Array, bins = 10): Float64Array {
  const n = checkSorted(referenceSorted, 'reference');
  if (!Number.isInteger(bins) || bins < 2) throw new RangeError(`bins must be an integer >= 2, got ${bins}`);
  const edges = new Float64Array(bins - 1);
  for (let k = 1; k < bins; k++) {
    const h = ((n - 1) * k) / bins;
    const lo = Math.floor(h);
    const below = referenceSorted[lo] as number;
    const above = referenceSorted[Math.min(lo + 1, n - 1)] as number;
    edges[k - 1] = below + (h - lo) * (above - below);
  }
  return edges;
}

/** Proportion of `sorted` in each bin of `edges`, by binary search (the sample is sorted). */
export function binProportions(sorted: Float64Array, edges: Float64Array): Float64Array {
  const proportions = new Float64Array(edges.length + 1);
  let below = 0;
  for (let k = 0; k <= edges.length; k++) {
    const upTo = k < edges.length ? upperBound(sorted, edges[k] as number) : sorted.length;
    proportions[k] = (upTo - below) / sorted.length;
    below = upTo;
  }
  return proportions;
}

/** PSI = sum over bins of (c - r) * ln(c / r), empty proportions replaced by EMPTY_BIN_EPSILON. */
export function psiOfProportions(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  let psiValue = 0;
  for (let k = 0; k < reference.length; k++) {
    const r = (reference[k] as number) || EMPTY_BIN_EPSILON;
    const c = (current[k] as number) || EMPTY_BIN_EPSILON;
    // Equal proportions add exactly 0, so identical samples give exactly 0 whatever the bins.
    if (r !== c) psiValue += (c - r) * Math.log(c / r);
  }
  return psiValue;
}

/**
 * Population stability index over `bins` reference-quantile bins (see psiBinEdges), natural
 * log. A bin empty in one sample counts as EMPTY_BIN_EPSILON there. Ties at an edge fall in the
 * lower bin for both samples alike; repeated edges (a value that fills more than a decile) make
 * empty bins on both sides, which add 0. Rules of thumb: < 0.1 stable, 0.1-0.25 moderate shift,
 * > 0.25 major shift. O(bins * log(n + m)).
 */
export function psi(referenceSorted: Float64Array, currentSorted: Float64Array, bins = 10): number {
  checkSorted(currentSorted, 'current');
  const edges = psiBinEdges(referenceSorted, bins);
  return psiOfProportions(binProportions(referenceSorted, edges), binProportions(currentSorted, edges));
}

/**
 * Up to this many values on the larger side the KS p-value is exact, as scipy's ks_2samp does
 * by default (its MAX_AUTO_N); above it, asymptotic.
 */
export const exactKsMaxSize = 10_000;

/**
 * The exact p-value costs one step per lattice point inside the band, about 2 w for a distance
 * w = D n m. Beyond this w (with both sizes <= 10,000) lambda^2 = w^2 / (n m (n + m)) >=
 * (2.5e7)^2 / (1e8 x 2e4) = 312, so p is about 2 exp(-2 lambda^2) < 1e-270 whichever way it is
 * computed, and the asymptotic formula answers instead of 5e7 steps.
 */
const exactKsMaxDistance = 25_000_000;

export interface KolmogorovSmirnovResult {
  statistic: number;
  pValue: number;
  /** Which null distribution gave the p-value. */
  method: 'exact' | 'asymptotic';
}

/**
 * Two-sample Kolmogorov-Smirnov test. D = sup_x |F_ref(x) - F_cur(x)| in one merge; a value
 * present in both samples is consumed on both sides at once, since evaluating between such
 * tied values would overstate D. The distance is kept as the integer |i * m - j * n|, exact up
 * to 2^53, so identical samples give exactly 0 even when n != m.
 *
 * p-value (see kolmogorovSmirnovPValue): exact when both samples have at most 10,000 values,
 * asymptotic above, as scipy's ks_2samp does by default. With samples of thousands even tiny
 * shifts are "significant": judge drift by D, use the p-value as a guard.
 */
export function kolmogorovSmirnov(referenceSorted: Float64Array, currentSorted: Float64Array): KolmogorovSmirnovResult {
  const n = checkSorted(referenceSorted, 'reference');
  const m = checkSorted(currentSorted, 'current');
  let i = 0;
  let j = 0;
  let widest = 0;
  while (i < n && j < m) {
    const a = referenceSorted[i] as number;
    const b = currentSorted[j] as number;
    if (a < b) i++;
    else if (b < a) j++;
    else {
      // A value in both samples: consume every copy on both sides before looking at the gap.
      // Ties within one sample need no such care: the other CDF is flat there, so the gap
      // part-way through them lies between the gaps before and after.
      i++;
      j++;
      while (i < n && referenceSorted[i] === a) i++;
      while (j < m && currentSorted[j] === a) j++;
    }
    const gap = Math.abs(i * m - j * n);
    if (gap > widest) widest = gap;
  }
  // Once one side is exhausted its CDF is 1 and the other's only climbs to 1: the gap shrinks.
  return { statistic: widest / (n * m), ...pValueOfDistance(widest, n, m) };
}

/**
 * The p-value of a two-sample KS statistic D between samples of n and m values, for a D
 * computed elsewhere (against a profile's quantiles, say). D is first rounded to the lattice
 * the statistic lives on (multiples of 1 / lcm(n, m)), as scipy does.
 *
 * - max(n, m) <= 10,000: exact, P(D' >= D) over the n + m choose n equally likely orders of
 *   the merged samples (smirnov-exact.ts). That distribution assumes no ties; with ties the
 *   p-value is conservative, as scipy's is.
 * - above: asymptotic, Q_KS((sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) * D) with ne = n m / (n + m)
 *   (Stephens 1970; Numerical Recipes 14.3), within 1% of scipy's kstwo-based asymptotic there.
 */
export function kolmogorovSmirnovPValue(statistic: number, n: number, m: number): Omit<KolmogorovSmirnovResult, 'statistic'> {
  if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || m < 1) throw new RangeError(`sample sizes must be integers >= 1, got ${n} and ${m}`);
  if (!(statistic >= 0 && statistic <= 1)) throw new RangeError(`a KS statistic lies in [0, 1], got ${statistic}`);
  const step = greatestCommonDivisor(n, m);
  return pValueOfDistance(Math.round((statistic * n * m) / step) * step, n, m);
}

/** p-value for the integer distance w = D n m (see kolmogorovSmirnovPValue). */
function pValueOfDistance(widest: number, n: number, m: number): Omit<KolmogorovSmirnovResult, 'statistic'> {
  if (Math.max(n, m) <= exactKsMaxSize && widest <= exactKsMaxDistance) return { pValue: smirnovExactSurvival(n, m, widest), method: 'exact' };
  const root = Math.sqrt((n * m) / (n + m));
  return { pValue: kolmogorovSurvival((root + 0.12 + 0.11 / root) * (widest / (n * m))), method: 'asymptotic' };
}

/**
 * Survival function of the Kolmogorov distribution, Q(lambda) = P(K > lambda)
 * = 2 * sum_{j>=1} (-1)^(j-1) exp(-2 j^2 lambda^2). That series converges slowly for small
 * lambda, where the Jacobi-theta form P(K <= lambda) = sqrt(2 pi) / lambda *
 * sum_{j>=1} exp(-(2j-1)^2 pi^2 / (8 lambda^2)) converges fast instead; the switch at 1.18 and
 * the few terms kept are from Numerical Recipes 3rd ed. 6.14 (KSdist), good to double precision.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const y = Math.exp(-(Math.PI * Math.PI) / (8 * lambda * lambda));
    const y8 = y ** 8;
    const cdf = (Math.sqrt(2 * Math.PI) / lambda) * y * (1 + y8 * (1 + y8 * y8 * (1 + y8 * y8 * y8)));
    return Math.min(1, Math.max(0, 1 - cdf));
  }
  const x = Math.exp(-2 * lambda * lambda);
  return Math.min(1, Math.max(0, 2 * (x - x ** 4 + x ** 9)));
}

/**
 * First Wasserstein (earth mover's) distance between the empirical distributions,
 * W1 = integral |F_ref(x) - F_cur(x)| dx, summed over the intervals between consecutive merged
 * values, where both CDFs are constant. In the units of the feature: a shift of the whole
 * distribution by d gives d. O(n + m).
 */
export function wasserstein(referenceSorted: Float64Array, currentSorted: Float64Array): number {
  const n = checkSorted(referenceSorted, 'reference');
  const m = checkSorted(currentSorted, 'current');
  let i = 0;
  let j = 0;
  let previous = Math.min(referenceSorted[0] as number, currentSorted[0] as number);
  // Accumulates |i m - j n| * dx, that is n m times the area, divided once at the end.
  let area = 0;
  while (i < n && j < m) {
    const a = referenceSorted[i] as number;
    const b = currentSorted[j] as number;
    if (a <= b) {
      area += Math.abs(i * m - j * n) * (a - previous);
      previous = a;
      i++;
    } else {
      area += Math.abs(i * m - j * n) * (b - previous);
      previous = b;
      j++;
    }
  }
  // One side is exhausted (its CDF is 1); the rest of the other side closes the gap.
  for (; i < n; i++) {
    const a = referenceSorted[i] as number;
    area += Math.abs(i * m - j * n) * (a - previous);
    previous = a;
  }
  for (; j < m; j++) {
    const b = currentSorted[j] as number;
    area += Math.abs(i * m - j * n) * (b - previous);
    previous = b;
  }
  return area / (n * m);
}

/**
 * Population standard deviation of a sample (divisor n: numpy's `np.std` default, which
 * Evidently norms Wasserstein by), in two passes for accuracy. A sample whose first and last
 * values are equal is constant: exactly 0, whatever rounding the mean would leave.
 */
export function standardDeviation(sorted: Float64Array): number {
  const n = checkSorted(sorted, 'sample');
  if (sorted[0] === sorted[n - 1]) return 0;
  let sum = 0;
  for (let k = 0; k < n; k++) sum += sorted[k] as number;
  const mean = sum / n;
  let squares = 0;
  for (let k = 0; k < n; k++) squares += ((sorted[k] as number) - mean) ** 2;
  return Math.sqrt(squares / n);
}

/**
 * A distance in the feature's units divided by the reference's standard deviation, so one
 * threshold means the same for amounts in cents and in euros: a shift of the whole distribution
 * by d standard deviations gives d. A constant reference (standard deviation 0) has no scale:
 * an identical current sample gives 0, any other Infinity (every change of a constant is drift).
 * Evidently floors the deviation at 0.001 instead, which is again a distance in units.
 */
export function normedByDeviation(distance: number, referenceDeviation: number): number {
  if (referenceDeviation > 0) return distance / referenceDeviation;
  return distance === 0 ? 0 : Infinity;
}

/** W1 normed by the reference's standard deviation (see normedByDeviation): Evidently's default for more than 1,000 values, at 0.1. */
export function wassersteinNormed(referenceSorted: Float64Array, currentSorted: Float64Array): number {
  return normedByDeviation(wasserstein(referenceSorted, currentSorted), standardDeviation(referenceSorted));
}

// ---------------------------------------------------------------------------------------------
// Categorical features

export interface ChiSquareOptions {
  /**
   * Yates' continuity correction when the table is 2 x 2 (two categories, 1 degree of
   * freedom): each |O - E| is reduced by 1/2, never below 0, before squaring. On by default,
   * as in scipy's chi2_contingency; it makes small 2 x 2 tables less quick to flag drift (6/40
   * against 14/40: p 0.071 corrected, 0.039 not). No effect with more categories.
   */
  correction?: boolean;
}

/**
 * Chi-square test of homogeneity on the 2 x k table (reference, current) x (union of
 * categories): statistic = sum (O - E)^2 / E with E = row total * column total / N,
 * k - 1 degrees of freedom, Yates-corrected when k = 2 (see ChiSquareOptions). A single
 * category gives statistic 0, 0 degrees of freedom and p-value 1. Like KS, with large samples
 * any difference is significant: the statistic grows with N, so thresholds belong on the
 * p-value or on Jensen-Shannon.
 */
export function chiSquare(
  reference: Map<string, number>,
  current: Map<string, number>,
  options: ChiSquareOptions = {},
): { statistic: number; pValue: number; degreesOfFreedom: number } {
  const referenceTotal = checkCounts(reference, 'reference');
  const currentTotal = checkCounts(current, 'current');
  const total = referenceTotal + currentTotal;
  const columns: [number, number][] = [];
  for (const category of unionOfCategories(reference, current)) {
    const r = reference.get(category) ?? 0;
    const c = current.get(category) ?? 0;
    if (r + c > 0) columns.push([r, c]);
  }
  const degreesOfFreedom = columns.length - 1;
  if (degreesOfFreedom === 0) return { statistic: 0, pValue: 1, degreesOfFreedom };
  const yates = degreesOfFreedom === 1 && (options.correction ?? true) ? 0.5 : 0;
  let statistic = 0;
  for (const [r, c] of columns) {
    const expectedReference = (referenceTotal * (r + c)) / total;
    const expectedCurrent = (currentTotal * (r + c)) / total;
    statistic += Math.max(0, Math.abs(r - expectedReference) - yates) ** 2 / expectedReference;
    statistic += Math.max(0, Math.abs(c - expectedCurrent) - yates) ** 2 / expectedCurrent;
  }
  return { statistic, pValue: chiSquareSurvival(statistic, degreesOfFreedom), degreesOfFreedom };
}

/**
 * Jensen-Shannon DISTANCE, the square root of the divergence JSD = (KL(P||M) + KL(Q||M)) / 2
 * with M = (P + Q) / 2, log base 2 so that it lies in [0, 1]: 0 for identical proportions, 1
 * for distributions with no category in common. Unlike KL it is symmetric and finite when a
 * category is missing on one side (0 * log 0 = 0), so it needs no epsilon.
 */
export function jensenShannon(reference: Map<string, number>, current: Map<string, number>): number {
  const referenceTotal = checkCounts(reference, 'reference');
  const currentTotal = checkCounts(current, 'current');
  let divergence = 0;
  for (const category of unionOfCategories(reference, current)) {
    const p = (reference.get(category) ?? 0) / referenceTotal;
    const q = (current.get(category) ?? 0) / currentTotal;
    const mean = (p + q) / 2;
    if (p > 0) divergence += p * Math.log2(p / mean);
    if (q > 0) divergence += q * Math.log2(q / mean);
  }
  // Rounding can leave the divergence a hair outside [0, 2] (it is 2 x JSD here).
  return Math.sqrt(Math.min(1, Math.max(0, divergence / 2)));
}

/** PSI over the union of categories, natural log, a category absent on one side counted as EMPTY_BIN_EPSILON there. */
export function categoricalPsi(reference: Map<string, number>, current: Map<string, number>): number {
  const referenceTotal = checkCounts(reference, 'reference');
  const currentTotal = checkCounts(current, 'current');
  const categories = unionOfCategories(reference, current);
  const r = categories.map((category) => (reference.get(category) ?? 0) / referenceTotal);
  const c = categories.map((category) => (current.get(category) ?? 0) / currentTotal);
  return psiOfProportions(r, c);
}

// ---------------------------------------------------------------------------------------------
// Labels and predictions (rates)

/**
 * Two-sided pooled two-proportion z-test: z = (p_cur - p_ref) / sqrt(p (1 - p) (1/n_ref +
 * 1/n_cur)) with p the pooled rate, p-value = 2 * Phi(-|z|). Positive z: the current rate is
 * higher. When the pooled rate is 0 or 1 both rates are equal (all negatives or all
 * positives): z 0, p-value 1. The normal approximation wants n p and n (1 - p) >= 5 or so on
 * each side; below that the p-value is rough.
 */
export function proportionsTest(referencePositives: number, referenceTotal: number, currentPositives: number, currentTotal: number): { z: number; pValue: number } {
  checkProportion(referencePositives, referenceTotal, 'reference');
  checkProportion(currentPositives, currentTotal, 'current');
  const pooled = (referencePositives + currentPositives) / (referenceTotal + currentTotal);
  const standardError = Math.sqrt(pooled * (1 - pooled) * (1 / referenceTotal + 1 / currentTotal));
  if (standardError === 0) return { z: 0, pValue: 1 };
  const z = (currentPositives / currentTotal - referencePositives / referenceTotal) / standardError;
  return { z, pValue: Math.min(1, 2 * normalCdf(-Math.abs(z))) };
}

function checkProportion(positives: number, total: number, name: string): void {
  if (!Number.isFinite(total) || total <= 0) throw new RangeError(`${name}Total must be a finite number > 0, got ${total}`);
  if (!Number.isFinite(positives) || positives < 0 || positives > total) {
    throw new RangeError(`${name}Positives must be in [0, ${name}Total], got ${positives} of ${total}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Distribution functions

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23
// (1969), as arranged for the normal CDF in R's pnorm.c (pnorm_both): three ranges of |x|,
// relative error near double precision in both tails.
const CODY_A = [2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113];
const CODY_B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956];
const CODY_C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711, 6848.1904505362823326,
  11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
];
const CODY_D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091, 34900.952721145977266,
  38912.003286093271411, 19685.429676859990727,
];
const CODY_P = [0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5, 0.02307344176494017303];
const CODY_Q = [1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5];
const coef = (table: number[], k: number): number => table[k] as number;

/** Standard normal CDF Phi(x), Cody's rational approximations (see above): relative error below 1e-12 (tested) from -37.5 to 37.5, 0 or 1 beyond. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const y = Math.abs(x);
  if (y <= 0.67448975) {
    // Near 0, Phi(x) = 1/2 + x R(x^2).
    const xsq = x * x;
    let numerator = coef(CODY_A, 4) * xsq;
    let denominator = xsq;
    for (let k = 0; k < 3; k++) {
      numerator = (numerator + coef(CODY_A, k)) * xsq;
      denominator = (denominator + coef(CODY_B, k)) * xsq;
    }
    return 0.5 + (x * (numerator + coef(CODY_A, 3))) / (denominator + coef(CODY_B, 3));
  }
  let ratio: number;
  if (y <= Math.sqrt(32)) {
    let numerator = coef(CODY_C, 8) * y;
    let denominator = y;
    for (let k = 0; k < 7; k++) {
      numerator = (numerator + coef(CODY_C, k)) * y;
      denominator = (denominator + coef(CODY_D, k)) * y;
    }
    ratio = (numerator + coef(CODY_C, 7)) / (denominator + coef(CODY_D, 7));
  } else if (y < 37.5193) {
    const xsq = 1 / (x * x);
    let numerator = coef(CODY_P, 5) * xsq;
    let denominator = xsq;
    for (let k = 0; k < 4; k++) {
      numerator = (numerator + coef(CODY_P, k)) * xsq;
      denominator = (denominator + coef(CODY_Q, k)) * xsq;
    }
    ratio = (0.3989422804014327 - (xsq * (numerator + coef(CODY_P, 4))) / (denominator + coef(CODY_Q, 4))) / y;
  } else {
    return x > 0 ? 1 : 0;
  }
  // tail = exp(-y^2 / 2) * ratio, with y^2 split as ysq^2 + del (ysq = y rounded down to 1/16)
  // so that the large exponent is computed without cancellation.
  const ysq = Math.trunc(y * 16) / 16;
  const del = (y - ysq) * (y + ysq);
  const tail = Math.exp(-ysq * ysq * 0.5) * Math.exp(-del * 0.5) * ratio;
  return x > 0 ? 1 - tail : tail;
}

/**
 * Upper tail of the chi-square distribution, P(X > x) for `degreesOfFreedom` > 0:
 * Q(df / 2, x / 2), the regularized upper incomplete gamma function.
 */
export function chiSquareSurvival(x: number, degreesOfFreedom: number): number {
  if (!(degreesOfFreedom > 0)) throw new RangeError(`degreesOfFreedom must be > 0, got ${degreesOfFreedom}`);
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  return regularizedGammaQ(degreesOfFreedom / 2, x / 2);
}

/**
 * Q(a, x) = Gamma(a, x) / Gamma(a), Numerical Recipes 2nd ed. 6.2 (gammq): the series for
 * P(a, x) when x < a + 1, where it converges fast, else Lentz's continued fraction for Q
 * directly (which keeps small upper tails accurate instead of computing 1 - P).
 */
function regularizedGammaQ(a: number, x: number): number {
  const epsilon = 1e-15;
  // Both converge in O(sqrt(a)) steps; the cap only guards against a bug looping forever.
  const maxIterations = 1000 + Math.ceil(20 * Math.sqrt(a));
  // x^a e^-x / Gamma(a), in logs so that large a does not overflow.
  const front = Math.exp(a * Math.log(x) - x - logGamma(a));
  if (x < a + 1) {
    // P(a, x) = front * sum_{n>=0} x^n / (a (a+1) ... (a+n))
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < maxIterations; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * epsilon) break;
    }
    return Math.min(1, Math.max(0, 1 - sum * front));
  }
  // Q(a, x) = front * 1 / (x + 1 - a - 1 (1 - a) / (x + 3 - a - 2 (2 - a) / (x + 5 - a - ...)))
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < maxIterations; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < epsilon) break;
  }
  return Math.min(1, Math.max(0, front * h));
}

/**
 * ln Gamma(z) for z > 0: Lanczos approximation with g = 7 and 9 terms (Paul Godfrey's
 * coefficients), relative error ~1e-15 for z >= 1/2; below that, Euler's reflection.
 */
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];
function logGamma(z: number): number {
  if (z < 0.5) {
    // Gamma(z) Gamma(1 - z) = pi / sin(pi z), to stay where the series is accurate.
    return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
  }
  const w = z - 1;
  let series = coef(LANCZOS, 0);
  for (let k = 1; k < 9; k++) series += coef(LANCZOS, k) / (w + k);
  const t = w + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (w + 0.5) * Math.log(t) - t + Math.log(series);
}
