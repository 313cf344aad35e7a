/**
 * The shifts the drift study simulates, each as a reference distribution and a way to draw the
 * current sample from it. Seeded (mulberry32), so every run of the study gives the same table.
 */
import { mulberry32 } from '../../shared/platform/mulberry32.js';

/** mulberry32 with two draws per double (53 random bits): small, seeded, plenty for sampling. */
export function prng(seed: number): () => number {
  const next32 = mulberry32(seed);
  return () => ((next32() >>> 5) * 67_108_864 + (next32() >>> 6)) / 9_007_199_254_740_992;
}

/** n standard normal draws (Box-Muller), unsorted. */
function standardNormals(uniform: () => number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform())); // 1 - u is in (0, 1]: no log(0)
    const angle = 2 * Math.PI * uniform();
    out[k] = radius * Math.cos(angle);
    if (k + 1 < n) out[k + 1] = radius * Math.sin(angle);
  }
  return out;
}

export type Family = 'normal' | 'amounts' | 'categories';

/**
 * An amounts-like distribution: lognormal with median e^3.5 = 33 and sigma 1.4 (mean 88, sd 218,
 * skewed right), as skewed as the card amounts of issue 19: there x1.6 gave PSI 0.115, here about 0.11.
 */
export const amountsLocation = 3.5;
export const amountsSigma = 1.4;

/** Draws of the reference distribution of a numeric family. */
export function numericReference(family: 'normal' | 'amounts', uniform: () => number, n: number): Float64Array {
  const z = standardNormals(uniform, n);
  if (family === 'amounts') for (let k = 0; k < n; k++) z[k] = Math.exp(amountsLocation + amountsSigma * (z[k] as number));
  return z;
}

/** The reference category mix: five categories, the largest first. */
export const categoryShares: ReadonlyArray<readonly [string, number]> = [
  ['card', 0.4],
  ['transfer', 0.25],
  ['cash', 0.15],
  ['wallet', 0.12],
  ['cheque', 0.08],
];

export function categoricalCounts(shares: ReadonlyArray<readonly [string, number]>, uniform: () => number, n: number): Map<string, number> {
  const counts = new Map<string, number>(shares.map(([name]) => [name, 0]));
  for (let k = 0; k < n; k++) {
    let u = uniform();
    let chosen = shares[shares.length - 1]![0];
    for (const [name, share] of shares) {
      if (u < share) {
        chosen = name;
        break;
      }
      u -= share;
    }
    counts.set(chosen, (counts.get(chosen) ?? 0) + 1);
  }
  return counts;
}

export interface NumericScenario {
  kind: 'numeric';
  family: 'normal' | 'amounts';
  name: string;
  /** Whether the current sample differs from the reference (false: the false-positive control). */
  shifted: boolean;
  /** The current sample: a fresh draw of the reference distribution, changed. */
  current(uniform: () => number, n: number): Float64Array;
}

export interface CategoricalScenario {
  kind: 'categorical';
  family: 'categories';
  name: string;
  shifted: boolean;
  shares: ReadonlyArray<readonly [string, number]>;
}

export type Scenario = NumericScenario | CategoricalScenario;

const mapped = (family: 'normal' | 'amounts', change: (value: number, uniform: () => number) => number) => (uniform: () => number, n: number) => {
  const values = numericReference(family, uniform, n);
  for (let k = 0; k < n; k++) values[k] = change(values[k] as number, uniform);
  return values;
};

/** `points` percentage points moved from the largest category to the smallest. */
function mixShift(points: number): ReadonlyArray<readonly [string, number]> {
  return categoryShares.map(([name, share], k) => [name, k === 0 ? share - points / 100 : k === categoryShares.length - 1 ? share + points / 100 : share] as const);
}

export const scenarios: Scenario[] = [
  { kind: 'numeric', family: 'normal', name: 'normal: none', shifted: false, current: mapped('normal', (v) => v) },
  { kind: 'numeric', family: 'normal', name: 'normal: mean +0.1 sd', shifted: true, current: mapped('normal', (v) => v + 0.1) },
  { kind: 'numeric', family: 'normal', name: 'normal: mean +0.25 sd', shifted: true, current: mapped('normal', (v) => v + 0.25) },
  { kind: 'numeric', family: 'normal', name: 'normal: mean +0.5 sd', shifted: true, current: mapped('normal', (v) => v + 0.5) },
  { kind: 'numeric', family: 'normal', name: 'normal: sd x1.2 (variance x1.44)', shifted: true, current: mapped('normal', (v) => v * 1.2) },
  { kind: 'numeric', family: 'normal', name: 'normal: sd x1.5 (variance x2.25)', shifted: true, current: mapped('normal', (v) => v * 1.5) },
  { kind: 'numeric', family: 'amounts', name: 'amounts: none', shifted: false, current: mapped('amounts', (v) => v) },
  { kind: 'numeric', family: 'amounts', name: 'amounts: x1.2', shifted: true, current: mapped('amounts', (v) => v * 1.2) },
  { kind: 'numeric', family: 'amounts', name: 'amounts: x1.6', shifted: true, current: mapped('amounts', (v) => v * 1.6) },
  { kind: 'numeric', family: 'amounts', name: 'amounts: 2% of values x10', shifted: true, current: mapped('amounts', (v, u) => (u() < 0.02 ? v * 10 : v)) },
  { kind: 'numeric', family: 'amounts', name: 'amounts: 5% of values x10', shifted: true, current: mapped('amounts', (v, u) => (u() < 0.05 ? v * 10 : v)) },
  { kind: 'categorical', family: 'categories', name: 'categories: none', shifted: false, shares: categoryShares },
  { kind: 'categorical', family: 'categories', name: 'categories: 5 points moved', shifted: true, shares: mixShift(5) },
  { kind: 'categorical', family: 'categories', name: 'categories: 10 points moved', shifted: true, shares: mixShift(10) },
  { kind: 'categorical', family: 'categories', name: 'categories: 20 points moved', shifted: true, shares: mixShift(20) },
  {
    kind: 'categorical',
    family: 'categories',
    name: 'categories: new category at 5%',
    shifted: true,
    shares: [...categoryShares.map(([name, share]) => [name, share * 0.95] as const), ['crypto', 0.05] as const],
  },
];
