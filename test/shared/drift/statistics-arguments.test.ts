import { describe, expect, it } from 'vitest';
import { prng } from './random.js';
import {
  categoricalPsi,
  chiSquare,
  chiSquareSurvival,
  jensenShannon,
  kolmogorovSmirnov,
  kolmogorovSmirnovPValue,
  normalCdf,
  psiBinEdges,
  sortedFinite,
  standardDeviation,
  wasserstein,
} from '../../../shared/drift/statistics.js';

/**
 * What the drift statistics say about their arguments, and the asymptotic KS p-value worked
 * out here from its formula: survivors of the drift-statistics mutation run (docs/testing.md).
 */
const some = Float64Array.from([1, 2, 3]);
const none = new Float64Array(0);

/** Q_KS(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2), summed to 100 terms (it converges fast above 0.5). */
function kolmogorovTail(lambda: number): number {
  let sum = 0;
  for (let k = 1; k <= 100; k++) sum += (k % 2 ? 1 : -1) * Math.exp(-2 * k * k * lambda * lambda);
  return 2 * sum;
}

describe('drift statistics name the side that is wrong', () => {
  it('says which sample is empty', () => {
    const empty = 'is empty: drift needs at least one finite value on each side';
    expect(() => psiBinEdges(none)).toThrow(`reference ${empty}`);
    expect(() => kolmogorovSmirnov(none, some)).toThrow(`reference ${empty}`);
    expect(() => kolmogorovSmirnov(some, none)).toThrow(`current ${empty}`);
    expect(() => wasserstein(none, some)).toThrow(`reference ${empty}`);
    expect(() => wasserstein(some, none)).toThrow(`current ${empty}`);
    expect(() => standardDeviation(none)).toThrow(`sample ${empty}`);
  });

  it('says which side holds a bad count', () => {
    const good = new Map([['a', 1]]);
    const bad = new Map([['a', -2]]);
    expect(() => chiSquare(good, bad)).toThrow('current: count of "a" is -2');
    expect(() => jensenShannon(bad, good)).toThrow('reference: count of "a" is -2');
    expect(() => categoricalPsi(good, bad)).toThrow('current: count of "a" is -2');
  });
});

describe('the radix sort', () => {
  it('sorts values whose low 16 bits are all equal (one radix pass skipped, so the result ends in the scratch buffer)', () => {
    // A positive float32 value widened to float64 has its low 29 mantissa bits zero (a negative
    // one is bit-flipped first, so the signs are not mixed): the first 16-bit pass
    // finds every digit equal and is skipped; three passes swap the buffers an odd number of times.
    const random = prng(23);
    const values = Array.from({ length: 40_000 }, () => Math.fround(random() * 1000));
    expect([...sortedFinite(values)]).toEqual([...Float64Array.from(values).sort()]);
  });
});

describe('KS sample sizes', () => {
  it('are checked on the asymptotic path too, which the exact computation (with its own check) never sees', () => {
    const message = 'sample sizes must be integers >= 1, got';
    expect(() => kolmogorovSmirnovPValue(0.1, 20_000.5, 10)).toThrow(`${message} 20000.5 and 10`);
    expect(() => kolmogorovSmirnovPValue(0.1, 10, 20_000.5)).toThrow(`${message} 10 and 20000.5`);
    expect(() => kolmogorovSmirnovPValue(0.1, -1, 20_001)).toThrow(`${message} -1 and 20001`);
    expect(() => kolmogorovSmirnovPValue(0.1, 20_001, 0)).toThrow(`${message} 20001 and 0`);
    expect(kolmogorovSmirnovPValue(0.1, 20_001, 1).method).toBe('asymptotic');
  });
});

describe('tails of NaN', () => {
  it('are NaN, not a probability', () => {
    expect(normalCdf(NaN)).toBeNaN();
    expect(chiSquareSurvival(NaN, 3)).toBeNaN();
  });
});

describe('the KS p-value above the exact range', () => {
  it("is Stephens' Q_KS((sqrt(ne) + 0.12 + 0.11 / sqrt(ne)) D)", () => {
    // n = m = 20,000: ne = 10,000, sqrt(ne) = 100.
    for (const statistic of [0.005, 0.01, 0.015]) {
      const expected = kolmogorovTail((100 + 0.12 + 0.11 / 100) * statistic);
      const { pValue, method } = kolmogorovSmirnovPValue(statistic, 20_000, 20_000);
      expect(method).toBe('asymptotic');
      expect(pValue).toBeCloseTo(expected, 10);
    }
  });

  it('is exact up to a distance D n m of 25,000,000 and asymptotic past it', () => {
    // n = m = 10,000: D = 0.25 is a distance of exactly 25,000,000 lattice steps.
    expect(kolmogorovSmirnovPValue(0.25, 10_000, 10_000).method).toBe('exact');
    expect(kolmogorovSmirnovPValue(0.2501, 10_000, 10_000).method).toBe('asymptotic');
  });
});
