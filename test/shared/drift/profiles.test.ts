import { describe, expect, it } from 'vitest';
import { evaluateDrift, type ReferenceSample } from '../../../shared/drift/evaluate.js';
import { profileFeatures, profileQuantiles, profileSample } from '../../../shared/drift/profiles.js';
import type { WindowSample } from '../../../shared/drift/samples.js';
import type { StoredProfile } from '../../../shared/drift/store.js';
import { normalSample } from './random.js';

// A drift run against a stored profile must reach what the same run against the raw reference
// window reaches. The raw figures are pinned to scipy 1.17.1 (ks_2samp and wasserstein_distance
// on the same seeded samples, dumped to JSON and computed offline), so neither side is
// checked only against the other.

function windowOf(values: Float64Array): WindowSample {
  return { rows: values.length, features: { amount: { kind: 'numeric', rows: values.length, nulls: 0, sorted: values } } };
}

/** The profile captureProfile would store for `sample`, read back as Cosmos DB hands it back: through JSON. */
function throughProfile(sample: WindowSample): ReferenceSample {
  const stored: StoredProfile = { name: 'launch', view: 'payments', source: {}, rows: sample.rows, features: profileFeatures(sample), createdAt: '2026-01-01T00:00:00.000Z' };
  return profileSample(JSON.parse(JSON.stringify(stored)) as StoredProfile);
}

const decidedByKs = { tests: { amount: { test: 'ks' as const } } };

describe('drift against a stored profile', () => {
  it('gives the raw window KS p-value for N(0,1) against N(0.08,1), 5,000 rows each', () => {
    const reference = windowOf(normalSample(57, 5000));
    const current = windowOf(normalSample(58, 5000, 0.08));
    const raw = evaluateDrift(reference, current, decidedByKs).features.amount!;
    // scipy: ks_2samp(reference, current) = (0.038, 0.001462118359040793), exact.
    expect(raw.statistics.ks).toBeCloseTo(0.038, 12);
    expect(Math.abs(raw.statistics.ks_p_value! / 0.001462118359040793 - 1)).toBeLessThan(1e-9);

    const profile = throughProfile(reference);
    expect(profile.features.amount!.summary).toMatchObject({ count: 5000 });
    expect(profile.features.amount!.sorted).toHaveLength(profileQuantiles);
    const fromProfile = evaluateDrift(profile, current, decidedByKs).features.amount!;
    // Treating the 1,001 quantiles as a sample of 1,001 gave p = 0.174 here.
    expect(Math.abs(fromProfile.statistics.ks! - 0.038)).toBeLessThan(1e-3);
    expect(Math.abs(fromProfile.statistics.ks_p_value! / raw.statistics.ks_p_value! - 1)).toBeLessThan(0.05);
    expect(fromProfile).toMatchObject({ test: 'ks', drifted: true });
    // scipy: wasserstein_distance(reference, current) = 0.05951736165955232.
    expect(raw.statistics.wasserstein).toBeCloseTo(0.05951736165955232, 12);
    expect(Math.abs(fromProfile.statistics.wasserstein! / 0.05951736165955232 - 1)).toBeLessThan(0.03);
    expect(Math.abs(fromProfile.statistics.psi! / raw.statistics.psi! - 1)).toBeLessThan(0.01);
  });

  it('keeps a tiny p-value tiny at 200,000 rows each', () => {
    const reference = windowOf(normalSample(1, 200_000));
    const current = windowOf(normalSample(2, 200_000, 0.08));
    const raw = evaluateDrift(reference, current, decidedByKs).features.amount!;
    // scipy: ks_2samp = (0.03122, 4.1064901878592614e-85), asymptotic; Arbor's asymptotic is within 10% of it.
    expect(raw.statistics.ks).toBeCloseTo(0.03122, 12);
    expect(Math.abs(Math.log10(raw.statistics.ks_p_value! / 4.1064901878592614e-85))).toBeLessThan(0.05);
    const fromProfile = evaluateDrift(throughProfile(reference), current, decidedByKs).features.amount!;
    // The 1,001 quantiles as a sample gave p = 0.999 here.
    expect(Math.abs(fromProfile.statistics.ks! - 0.03122)).toBeLessThan(4e-4);
    expect(Math.abs(Math.log10(fromProfile.statistics.ks_p_value! / raw.statistics.ks_p_value!))).toBeLessThan(0.5);
    // scipy: wasserstein_distance = 0.07620937605337835.
    expect(Math.abs(fromProfile.statistics.wasserstein! / 0.07620937605337835 - 1)).toBeLessThan(0.03);
  });

  it('agrees with the raw window on Wasserstein, PSI and KS for unequal sizes, with and without a shift', () => {
    const cases: [number, number, number, number][] = [
      // [reference rows, current rows, shift of the current mean, seed]
      [200_000, 5000, 0, 3],
      [200_000, 5000, 0.08, 5],
      [20_000, 300, 0.2, 7],
      [3000, 50_000, 0.03, 9],
    ];
    for (const [n, m, shift, seed] of cases) {
      const reference = windowOf(normalSample(seed, n));
      const current = windowOf(normalSample(seed + 1, m, shift));
      const raw = evaluateDrift(reference, current, decidedByKs).features.amount!.statistics;
      const fromProfile = evaluateDrift(throughProfile(reference), current, decidedByKs).features.amount!.statistics;
      const label = `n ${n}, m ${m}, shift ${shift}`;
      expect(Math.abs(fromProfile.ks! - raw.ks!), label).toBeLessThan(1e-3);
      expect(Math.abs(fromProfile.ks_p_value! / raw.ks_p_value! - 1), label).toBeLessThan(0.1);
      // In standard deviations (these samples have sd 1): the outer quantile steps spread the tails' mass evenly, a ~0.001 sd error that is 4% of the 0.02 noise floor with no shift.
      expect(Math.abs(fromProfile.wasserstein! - raw.wasserstein!), label).toBeLessThan(0.0015);
      expect(Math.abs(fromProfile.psi! / raw.psi! - 1), label).toBeLessThan(0.01);
    }
  });

  it('restores a reference with few distinct values exactly from its value counts', () => {
    const small = windowOf(normalSample(11, profileQuantiles));
    // + 0 turns the -0 that Math.round gives for (-0.5, 0) into 0, which is what a JSON round trip keeps.
    const rounded = windowOf(normalSample(17, 50_000, 10, 5).map((v) => Math.round(v) + 0));
    for (const [reference, current] of [
      [small, windowOf(normalSample(12, 700, 0.1))],
      [rounded, windowOf(normalSample(18, 3000, 10.5, 5).map((v) => Math.round(v) + 0))],
    ] as const) {
      const profile = throughProfile(reference);
      expect(profile.features.amount!.summary).toBeUndefined();
      expect(profile.features.amount!.sorted).toEqual(reference.features.amount!.sorted);
      expect(evaluateDrift(profile, current, decidedByKs)).toEqual(evaluateDrift(reference, current, decidedByKs));
    }
  });

  it('restores a 0/1 label exactly, so the proportions test sees the true count', () => {
    const labels = (total: number, positives: number): WindowSample => ({
      rows: total,
      features: { fraud: { kind: 'numeric', rows: total, nulls: 0, sorted: Float64Array.from({ length: total }, (_, k) => (k >= total - positives ? 1 : 0)) } },
    });
    const reference = labels(5000, 150);
    const current = labels(4000, 200);
    const fromProfile = evaluateDrift(throughProfile(reference), current, { label: 'fraud' }).features.fraud!;
    // 150 of 5,000 against 200 of 4,000: pooled 350 / 9,000, z = 0.02 / sqrt(p (1 - p) (1/5000 + 1/4000)) = 4.87668.
    expect(fromProfile.statistics.reference_rate).toBe(0.03);
    expect(fromProfile.statistics.z).toBeCloseTo(4.87668, 4);
    expect(fromProfile).toMatchObject({ test: 'proportions', drifted: true });
  });

  it('reads profiles stored before the count was kept as standing for rows - nulls', () => {
    const reference = windowOf(normalSample(13, 8000));
    const current = windowOf(normalSample(14, 8000, 0.05));
    const stored: StoredProfile = { name: 'old', view: 'payments', source: {}, rows: 8000, features: profileFeatures(reference), createdAt: '2025-01-01T00:00:00.000Z' };
    delete stored.features.amount!.count;
    const old = evaluateDrift(profileSample(stored), current, decidedByKs).features.amount!.statistics;
    const raw = evaluateDrift(reference, current, decidedByKs).features.amount!.statistics;
    expect(Math.abs(old.ks_p_value! / raw.ks_p_value! - 1)).toBeLessThan(0.1);
  });

  it('reports the same values out of the reference range as the raw window', () => {
    const reference = windowOf(normalSample(15, 10_000));
    const current = windowOf(normalSample(16, 2000, 3));
    const raw = evaluateDrift(reference, current).quality.features.amount!.outOfRange;
    expect(raw).toBeGreaterThan(10);
    expect(evaluateDrift(throughProfile(reference), current).quality.features.amount!.outOfRange).toBe(raw);
  });
});
