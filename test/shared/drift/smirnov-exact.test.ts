import { describe, expect, it } from 'vitest';
import { greatestCommonDivisor, smirnovExactSurvival } from '../../../shared/drift/smirnov-exact.js';

// Two references written differently from the code under test: enumerating every order of
// the merged samples (small sizes), and, for equal sizes, the reflection formula in exact
// integer arithmetic.

/** Every arrangement of n reference and m current values: the share whose max |i m - j n| reaches w. */
function byEnumeration(n: number, m: number): Map<number, number> {
  const reached = new Map<number, number>(); // widest distance -> arrangements
  let total = 0;
  const walk = (i: number, j: number, widest: number): void => {
    const here = Math.max(widest, Math.abs(i * m - j * n));
    if (i === n && j === m) {
      reached.set(here, (reached.get(here) ?? 0) + 1);
      total++;
      return;
    }
    if (i < n) walk(i + 1, j, here);
    if (j < m) walk(i, j + 1, here);
  };
  walk(0, 0, 0);
  const survival = new Map<number, number>();
  for (const w of reached.keys()) {
    let atLeast = 0;
    for (const [distance, count] of reached) if (distance >= w) atLeast += count;
    survival.set(w, atLeast / total);
  }
  return survival;
}

function binomial(n: bigint, k: bigint): bigint {
  if (k < 0n || k > n) return 0n;
  let result = 1n;
  for (let i = 1n; i <= k; i++) result = (result * (n - k + i)) / i;
  return result;
}

/**
 * Equal sizes: P(D >= h / n) = 2 sum_{k>=1} (-1)^(k+1) C(2n, n - k h) / C(2n, n) (reflection
 * principle; Gnedenko and Korolyuk 1951), summed exactly in BigInt and divided at the end.
 */
function equalSizes(n: number, h: number): number {
  let numerator = 0n;
  for (let k = 1; n - k * h >= 0; k++) numerator += (k % 2 === 1 ? 2n : -2n) * binomial(BigInt(2 * n), BigInt(n - k * h));
  const denominator = binomial(BigInt(2 * n), BigInt(n));
  // A ratio of two huge integers as a double: scale so the quotient keeps 60 significant bits.
  const shift = BigInt(Math.max(0, denominator.toString(2).length - numerator.toString(2).length + 60));
  return Number((numerator << shift) / denominator) / 2 ** Number(shift);
}

describe('smirnovExactSurvival', () => {
  it('matches an enumeration of every arrangement for all sizes up to 7 and every distance', () => {
    for (let n = 1; n <= 7; n++) {
      for (let m = 1; m <= 7; m++) {
        for (const [w, expected] of byEnumeration(n, m)) {
          expect(smirnovExactSurvival(n, m, w), `n ${n}, m ${m}, w ${w}`).toBeCloseTo(expected, 14);
          // Just above an attained distance the survival drops to the next attained one.
          expect(smirnovExactSurvival(n, m, w + 1)).toBeLessThan(expected);
        }
      }
    }
  });

  it('matches the equal-size reflection formula, deep tails included', () => {
    const cases: [number, number][] = [
      [40, 12],
      [200, 30],
      [200, 100],
      [1000, 100],
      [1000, 500],
    ];
    for (const [n, h] of cases) {
      const expected = equalSizes(n, h);
      // w = D n m with D = h / n and m = n.
      expect(Math.abs(smirnovExactSurvival(n, n, h * n) / expected - 1), `n ${n}, h ${h}: ${expected}`).toBeLessThan(1e-10);
    }
    // The deepest case is around 1e-100: summed as it escapes, not as 1 minus the rest.
    expect(equalSizes(1000, 500)).toBeLessThan(1e-90);
  });

  it('is 1 at distance 0, 0 beyond the largest possible distance, and symmetric in the two sizes', () => {
    expect(smirnovExactSurvival(5, 8, 0)).toBe(1);
    expect(smirnovExactSurvival(5, 8, 41)).toBe(0);
    expect(smirnovExactSurvival(5, 8, 40)).toBeCloseTo(2 / 1287, 15); // all reference first, or all current first
    expect(smirnovExactSurvival(37, 91, 1200)).toBeCloseTo(smirnovExactSurvival(91, 37, 1200), 14);
  });

  it('rejects sizes and distances that are not integers in range', () => {
    expect(() => smirnovExactSurvival(0, 5, 3)).toThrow(RangeError);
    expect(() => smirnovExactSurvival(2.5, 5, 3)).toThrow(RangeError);
    expect(() => smirnovExactSurvival(3, 5, 1.5)).toThrow(RangeError);
  });

  it('has a greatest common divisor', () => {
    expect(greatestCommonDivisor(40, 40)).toBe(40);
    expect(greatestCommonDivisor(3000, 10_000)).toBe(1000);
    expect(greatestCommonDivisor(997, 1499)).toBe(1);
    expect(greatestCommonDivisor(7, 0)).toBe(7);
  });
});
