import { describe, expect, it } from 'vitest';
import { evaluateDrift, rowQuality } from '../../../shared/drift/evaluate.js';
import { profileFeatures, profileSample } from '../../../shared/drift/profiles.js';
import type { WindowSample } from '../../../shared/drift/samples.js';
import type { StoredProfile } from '../../../shared/drift/store.js';
import { normalSample } from './random.js';

function windowOf(values: Float64Array): WindowSample {
  return { rows: values.length, features: { amount: { kind: 'numeric', rows: values.length, nulls: 0, sorted: values } } };
}

/**
 * Card amounts as skewed as issue 19's: lognormal, median e^3.5 = 33, sigma 1.4 (sorted, since exp
 * keeps the order of the sorted normals). x1.6 moves log-amounts by ln 1.6 / 1.4 = 0.34 of their sd.
 */
const sigma = 1.4;
const amounts = (seed: number, n: number, factor = 1) => normalSample(seed, n).map((v) => factor * Math.exp(3.5 + sigma * v));

describe('drift defaults', () => {
  it('flags amounts multiplied by 1.6 at 5,000 rows, which PSI at 0.2 called stable, and leaves a fresh unshifted sample alone', () => {
    const reference = windowOf(amounts(41, 5000));
    const scaled = evaluateDrift(reference, windowOf(amounts(42, 5000, 1.6))).features.amount!;
    // What the issue saw: PSI about 0.115, under the old default threshold 0.2.
    expect(scaled.statistics.psi).toBeGreaterThan(0.08);
    expect(scaled.statistics.psi).toBeLessThan(0.2);
    // W1 = 0.6 mean and sd = mean sqrt(e^(sigma^2) - 1) = 2.47 mean for the population: 0.6 / 2.47 = 0.24
    // (a sample's sd of so skewed data varies by a few tens of %, so the bounds are wide).
    expect(scaled).toMatchObject({ test: 'wasserstein_normed', threshold: 0.1, drifted: true });
    expect(scaled.score).toBeGreaterThan(0.17);
    expect(scaled.score).toBeLessThan(0.35);

    const fresh = evaluateDrift(reference, windowOf(amounts(43, 5000))).features.amount!;
    expect(fresh).toMatchObject({ test: 'wasserstein_normed', drifted: false });
    expect(fresh.score).toBeLessThan(0.05);
  });

  it('decides the same against a stored profile of the reference', () => {
    const reference = windowOf(amounts(44, 20_000));
    const stored: StoredProfile = { name: 'launch', view: 'payments', source: {}, rows: 20_000, features: profileFeatures(reference), createdAt: '2026-01-01T00:00:00.000Z' };
    const profile = profileSample(JSON.parse(JSON.stringify(stored)) as StoredProfile);
    for (const [factor, drifted] of [
      [1, false],
      [1.6, true],
      [2.5, true],
    ] as const) {
      const current = windowOf(amounts(45, 5000, factor));
      const raw = evaluateDrift(reference, current).features.amount!;
      const fromProfile = evaluateDrift(profile, current).features.amount!;
      expect(raw).toMatchObject({ test: 'wasserstein_normed', drifted });
      expect(fromProfile).toMatchObject({ test: 'wasserstein_normed', drifted });
      // On so skewed data the profile reads high: its top 0.1% is spread evenly up to the maximum
      // (Wasserstein 6.5 against 3.7 with no shift) and its deviation runs 8% low (quantile-summary.ts).
      // That lifts the noise floor from 0.017 to 0.033, a third of the threshold.
      const gap = fromProfile.score! - raw.score!;
      expect(gap, `x${factor}`).toBeGreaterThan(-0.002);
      expect(gap, `x${factor}`).toBeLessThan(0.02 + 0.1 * raw.score!);
    }
  });

  it('keeps Kolmogorov-Smirnov below 1,000 values a side', () => {
    const feature = evaluateDrift(windowOf(amounts(46, 999)), windowOf(amounts(47, 5000, 1.6))).features.amount!;
    expect(feature).toMatchObject({ test: 'ks', threshold: 0.05, drifted: true });
  });

  it('calls any change of a constant reference drift, with the reason, and the same constant stable', () => {
    const constant = windowOf(new Float64Array(2000).fill(7));
    const same = evaluateDrift(constant, windowOf(new Float64Array(1500).fill(7))).features.amount!;
    expect(same).toMatchObject({ test: 'wasserstein_normed', score: 0, drifted: false });
    const moved = evaluateDrift(constant, windowOf(Float64Array.from({ length: 1500 }, (_, k) => (k < 1499 ? 7 : 8)))).features.amount!;
    expect(moved).toMatchObject({ test: 'wasserstein_normed', score: Infinity, drifted: true, reason: expect.stringContaining('constant') });
    // Stored and served as JSON, the infinite score reads null; the verdict stays.
    expect(JSON.parse(JSON.stringify(moved))).toMatchObject({ score: null, drifted: true });
  });

  it('takes raw Wasserstein only with a threshold, which is in the feature units', () => {
    const reference = windowOf(amounts(48, 2000));
    const current = windowOf(amounts(49, 2000, 1.6));
    expect(() => evaluateDrift(reference, current, { tests: { amount: { test: 'wasserstein' } } })).toThrow(/no default threshold/);
    const chosen = evaluateDrift(reference, current, { tests: { amount: { test: 'wasserstein', threshold: 20 } } }).features.amount!;
    expect(chosen).toMatchObject({ test: 'wasserstein', threshold: 20, drifted: true });
    expect(evaluateDrift(reference, current, { tests: { amount: { test: 'psi' } } }).features.amount).toMatchObject({ test: 'psi', threshold: 0.2 });
  });
});

describe('row counts', () => {
  it('compares rows per day, so 14 days against 7 at the same daily rate is no change', () => {
    expect(rowQuality(14_000, 7_000, { reference: 14, current: 7 })).toEqual({
      reference: 14_000,
      current: 7_000,
      change: 0,
      changeOf: 'rows_per_day',
      days: { reference: 14, current: 7 },
      perDay: { reference: 1000, current: 1000 },
    });
    // Half the daily volume over a day: -50%, whatever the lengths.
    expect(rowQuality(14_000, 500, { reference: 14, current: 1 })).toMatchObject({ change: -0.5, perDay: { reference: 1000, current: 500 } });
  });

  it('reaches the report through evaluateDrift', () => {
    const reference = { rows: 14_000, features: {} };
    const current = { rows: 7_000, features: {} };
    expect(evaluateDrift(reference, current, { days: { reference: 14, current: 7 } }).quality.rows.change).toBe(0);
  });

  it('compares raw counts, and says so, when a side has no window (a profile of a training set)', () => {
    expect(rowQuality(14_000, 7_000, { reference: undefined, current: 7 })).toEqual({
      reference: 14_000,
      current: 7_000,
      change: -0.5,
      changeOf: 'rows',
      days: { reference: null, current: 7 },
    });
    expect(rowQuality(0, 10, { reference: 1, current: 1 }).change).toBeNull();
  });
});
