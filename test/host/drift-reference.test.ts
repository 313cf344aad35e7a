import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi } from '../support/json-api.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { normalSample } from '../shared/drift/random.js';

// Drift runs through the local host, checked against scipy 1.17.1 on the same data (computed
// offline; the literals are below): the cases where Arbor's statistics used to disagree.

const unique = (prefix: string) => uniqueName(prefix, '_');
const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('drift statistics through the local host agree with scipy', () => {
  let host: HostProcess;
  const entity = unique('account');
  const large = unique('payments');
  const small = unique('signups');
  const now = Date.now();
  const reference = { start: iso(now - 20 * day), end: iso(now - 10 * day) };
  const current = { start: iso(now - 5 * day), end: iso(now) };
  const call = jsonApi(() => host);

  /** Pushes one row per value, spread over [from, from + 4 days). */
  async function push(view: string, from: number, rows: Array<Record<string, unknown>>): Promise<void> {
    const timed = rows.map((row, i) => ({ account_id: i, event_timestamp: iso(from + Math.floor((i / rows.length) * 4 * day)), ...row }));
    for (let start = 0; start < timed.length; start += 2500) {
      const pushed = await call('POST', 'features/push', { view, to: 'offline', rows: timed.slice(start, start + 2500) });
      expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
    }
  }

  beforeAll(async () => {
    host = await startHostProcess();
    const applied = await call('POST', 'features/registry', {
      entities: [{ name: entity, joinKeys: [{ name: 'account_id', type: 'int64' }] }],
      featureViews: [
        { name: large, entity, ttlSeconds: 0, online: false, features: [{ name: 'amount', type: 'float64' }] },
        {
          name: small,
          entity,
          ttlSeconds: 0,
          online: false,
          features: [
            { name: 'age', type: 'int64' },
            { name: 'plan', type: 'string' },
          ],
        },
      ],
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    await push(large, Date.parse(reference.start), [...normalSample(57, 5000)].map((amount) => ({ amount })));
    await push(large, Date.parse(current.start), [...normalSample(58, 5000, 0.08)].map((amount) => ({ amount })));
    // 40 rows a side: age 0..39 against 12..51; plan 'pro' 6 of 40 against 14 of 40.
    await push(small, Date.parse(reference.start), Array.from({ length: 40 }, (_, i) => ({ age: i, plan: i < 6 ? 'pro' : 'free' })));
    await push(small, Date.parse(current.start), Array.from({ length: 40 }, (_, i) => ({ age: i + 12, plan: i < 14 ? 'pro' : 'free' })));
  });
  afterAll(async () => {
    await host.stop();
  });

  it('gives a profile the raw window KS p-value: N(0,1) against N(0.08,1), 5,000 rows each', async () => {
    const tests = { amount: { test: 'ks' } };
    const raw = await call('POST', 'drift/run', { view: large, reference, current, tests });
    expect(raw.status, JSON.stringify(raw.body)).toBe(200);
    // scipy: ks_2samp(reference, current) = (0.038, 0.001462118359040793); wasserstein_distance = 0.05951736165955232.
    expect(raw.body.features.amount.statistics.ks).toBeCloseTo(0.038, 12);
    expect(raw.body.features.amount.statistics.ks_p_value / 0.001462118359040793).toBeCloseTo(1, 8);

    const profile = await call('POST', 'drift/profiles', { name: 'launch', view: large, window: reference });
    expect(profile.status, JSON.stringify(profile.body)).toBe(201);
    const fromProfile = await call('POST', 'drift/run', { view: large, reference: { profile: 'launch' }, current, tests });
    expect(fromProfile.status, JSON.stringify(fromProfile.body)).toBe(200);
    const amount = fromProfile.body.features.amount;
    // Taking the profile's 1,001 quantiles for a sample of 1,001 gave p = 0.174: no drift.
    expect(Math.abs(amount.statistics.ks_p_value / 0.001462118359040793 - 1)).toBeLessThan(0.05);
    expect(amount).toMatchObject({ test: 'ks', drifted: true });
    expect(Math.abs(amount.statistics.wasserstein / 0.05951736165955232 - 1)).toBeLessThan(0.03);
  });

  it("uses the exact KS distribution and Yates' correction on 40 rows a side", async () => {
    const run = await call('POST', 'drift/run', { view: small, reference, current });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    // scipy: ks_2samp(range(40), range(12, 52)) = (0.3, 0.054141077480362725), exact; the asymptotic formula said 0.043 (drift).
    expect(run.body.features.age).toMatchObject({ test: 'ks', drifted: false });
    expect(run.body.features.age.statistics.ks_p_value).toBeCloseTo(0.054141077480362725, 12);
    // scipy: chi2_contingency([[6, 34], [14, 26]]) = (3.2666666666666666, 0.07070114486598289); without the correction p was 0.039 (drift).
    expect(run.body.features.plan).toMatchObject({ test: 'chi_square', drifted: false });
    expect(run.body.features.plan.statistics.chi_square).toBeCloseTo(3.2666666666666666, 12);
    expect(run.body.features.plan.statistics.chi_square_p_value).toBeCloseTo(0.07070114486598289, 12);
  });
});
