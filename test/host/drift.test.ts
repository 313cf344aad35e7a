import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi } from '../support/json-api.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { pipelinesApi } from '../support/pipelines-api.js';

const unique = (prefix: string) => uniqueName(prefix, '_');
const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Seeded normals (Box-Muller) so every run sees the same data. */
function generator(seed: number) {
  let state = seed;
  const uniform = () => (state = (state * 48_271) % 2_147_483_647) / 2_147_483_647;
  return { uniform, normal: (mean: number, sd: number) => mean + sd * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

describe('drift runs through the local host', () => {
  let host: HostProcess;
  const entity = unique('account');
  const view = unique('payments');
  const now = Date.now();
  const reference = { start: iso(now - 20 * day), end: iso(now - 10 * day) };
  const current = { start: iso(now - 5 * day), end: iso(now) };

  const call = jsonApi(() => host);

  /** `count` rows spread over [from, from + span): amount ~ N(mean, 1), steady ~ N(10, 2), a city, and a fraud flag at `fraudRate`. */
  function rowsOf(from: number, span: number, count: number, mean: number, cities: string[], fraudRate: number, seed: number) {
    const random = generator(seed);
    return Array.from({ length: count }, (_, i) => ({
      account_id: i,
      event_timestamp: iso(from + Math.floor((i / count) * span)),
      amount: random.normal(mean, 1),
      steady: Math.round(random.normal(10, 2)),
      city: cities[Math.floor(random.uniform() * cities.length)],
      fraud: i % Math.round(1 / fraudRate) === 0,
    }));
  }
  const referenceRows = () => rowsOf(Date.parse(reference.start), 9 * day, 4000, 0, ['oslo', 'lima', 'pune'], 0.005, 11);
  const currentRows = () => rowsOf(Date.parse(current.start), 4 * day, 4000, 0.8, ['oslo', 'lima', 'pune', 'kyiv'], 0.03, 12);

  async function push(rows: ReturnType<typeof rowsOf>) {
    const pushed = await call('POST', 'features/push', { view, to: 'offline', rows });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
  }

  beforeAll(async () => {
    host = await startHostProcess();
    const applied = await call('POST', 'features/registry', {
      entities: [{ name: entity, joinKeys: [{ name: 'account_id', type: 'int64' }] }],
      featureViews: [
        {
          name: view,
          entity,
          ttlSeconds: 0,
          online: false,
          features: [
            { name: 'amount', type: 'float64' },
            { name: 'steady', type: 'int64' },
            { name: 'city', type: 'string' },
            { name: 'fraud', type: 'bool' },
          ],
        },
      ],
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    // Reference: amount ~ N(0,1), three cities, 0.5% fraud. Current: amount ~ N(0.8,1), a new city, 3% fraud.
    await push(referenceRows());
    await push(currentRows());
  });
  afterAll(async () => {
    await host.stop();
  });

  it('finds no drift between a window and itself', async () => {
    const run = await call('POST', 'drift/run', { view, reference, current: reference, label: 'fraud' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.drifted).toBe(false);
    expect(run.body.features.amount).toMatchObject({ test: 'wasserstein_normed', score: 0, threshold: 0.1, drifted: false });
    expect(run.body.features.city).toMatchObject({ test: 'jensen_shannon', score: 0, drifted: false });
    expect(run.body.features.fraud).toMatchObject({ test: 'proportions', drifted: false });
    expect(run.body.quality.rows).toEqual({
      reference: 4000,
      current: 4000,
      change: 0,
      changeOf: 'rows_per_day',
      days: { reference: 10, current: 10 },
      perDay: { reference: 400, current: 400 },
    });
  });

  it('flags a shifted mean, a new category and a label rate going from 0.5% to 3%, and leaves a steady feature alone', async () => {
    const run = await call('POST', 'drift/run', { view, reference, current, label: 'fraud' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    const { features, quality } = run.body;
    expect(run.body.drifted).toBe(true);
    expect(features.amount.drifted).toBe(true);
    // A mean shift of 0.8 sd: Wasserstein distance ~0.8, KS statistic ~2*Phi(0.4)-1 = 0.311.
    expect(features.amount.statistics.wasserstein).toBeGreaterThan(0.7);
    expect(features.amount.statistics.wasserstein).toBeLessThan(0.9);
    expect(features.amount.statistics.ks).toBeGreaterThan(0.27);
    expect(features.amount.statistics.ks).toBeLessThan(0.35);
    // Normed by the reference's sd of 1, the same 0.8: the default test.
    expect(features.amount).toMatchObject({ test: 'wasserstein_normed', threshold: 0.1 });
    expect(features.amount.statistics.wasserstein_normed).toBeCloseTo(features.amount.statistics.wasserstein / features.amount.statistics.reference_sd, 12);
    expect(features.steady).toMatchObject({ test: 'wasserstein_normed', drifted: false });
    // The same 4,000 rows in a 10-day reference and a 5-day current window: twice the daily volume, not the same count.
    expect(quality.rows).toMatchObject({ reference: 4000, current: 4000, change: 1, changeOf: 'rows_per_day', days: { reference: 10, current: 5 } });
    expect(features.city.drifted).toBe(true);
    expect(quality.features.city.newCategories).toEqual(['kyiv']);
    expect(features.fraud).toMatchObject({ test: 'proportions', drifted: true });
    expect(features.fraud.statistics.reference_rate).toBeCloseTo(0.005, 3);
    expect(features.fraud.statistics.current_rate).toBeCloseTo(0.03, 2);
    // Current amounts outside the reference's [min, max], counted here from the rows pushed.
    const referenceAmounts = referenceRows().map((r) => r.amount);
    const [low, high] = [Math.min(...referenceAmounts), Math.max(...referenceAmounts)];
    const outside = currentRows().filter((r) => r.amount < low || r.amount > high).length;
    expect(outside).toBeGreaterThan(0);
    expect(quality.features.amount.outOfRange).toBe(outside);

    // A threshold per feature overrides the default: a tolerant PSI limit keeps amount quiet.
    const tolerant = await call('POST', 'drift/run', { view, reference, current, tests: { amount: { test: 'psi', threshold: 5 }, city: { test: 'chi_square' } } });
    expect(tolerant.body.features.amount).toMatchObject({ test: 'psi', threshold: 5, drifted: false });
    expect(tolerant.body.features.city).toMatchObject({ test: 'chi_square', drifted: true });

    // Reports are stored, newest first, and the gauges say the same.
    const reports = await call('GET', `drift/${view}`);
    expect(reports.status).toBe(200);
    expect(reports.body.latest.id).toBe(tolerant.body.id);
    expect(reports.body.history.map((r: { id: string }) => r.id)).toContain(run.body.id);
    const metrics = await (await fetch(`${host.url}/api/metrics`)).text();
    expect(metrics).toContain(`arbor_drift_detected{view="${view}",feature="city",test="chi_square"} 1`);
    expect(metrics).toContain(`arbor_drift_detected{view="${view}",feature="fraud",test="proportions"} 1`);
    expect(metrics).toMatch(new RegExp(`arbor_drift_score\\{view="${view}",feature="amount",test="psi"\\} [0-9.]+`));
  });

  it('captures a reference profile and reaches the same verdicts against it', async () => {
    const profile = await call('POST', 'drift/profiles', { name: 'launch', view, window: reference });
    expect(profile.status, JSON.stringify(profile.body)).toBe(201);
    expect(profile.body).toMatchObject({ name: 'launch', rows: 4000 });
    const run = await call('POST', 'drift/run', { view, reference: { profile: 'launch' }, current, label: 'fraud' });
    expect(run.status, JSON.stringify(run.body)).toBe(200);
    expect(run.body.reference).toEqual({ profile: 'launch' });
    expect(Object.fromEntries(Object.entries(run.body.features).map(([name, f]) => [name, (f as { drifted: boolean }).drifted]))).toEqual({
      amount: true,
      steady: false,
      city: true,
      fraud: true,
    });
    // The profile keeps its window, so rows are still compared per day.
    expect(run.body.quality.rows).toMatchObject({ change: 1, changeOf: 'rows_per_day', days: { reference: 10, current: 5 } });
    const same = await call('POST', 'drift/run', { view, reference: { profile: 'launch' }, current: reference });
    expect(same.body.drifted).toBe(false);
  });

  it('captures a profile from a training set built by the feature store', async () => {
    const entityRows = Array.from({ length: 1500 }, (_, i) => ({ account_id: i, event_timestamp: reference.end }));
    const set = await call('POST', 'features/historical', { features: [`${view}:amount`, `${view}:city`], entityRows, output: 'blob' });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    const profile = await call('POST', 'drift/profiles', { name: 'trained', view, trainingSet: set.body.blob });
    expect(profile.status, JSON.stringify(profile.body)).toBe(201);
    expect(profile.body.features).toEqual(['amount', 'city']);
    const run = await call('POST', 'drift/run', { view, reference: { profile: 'trained' }, current });
    expect(Object.keys(run.body.features)).toEqual(['amount', 'city']);
    expect(run.body.features.amount.drifted).toBe(true);
    expect(run.body.features.city.drifted).toBe(true);
    // A training set has no window: its rows are compared as a count, and the report says so.
    expect(run.body.quality.rows).toMatchObject({ reference: 1500, current: 4000, changeOf: 'rows', days: { reference: null, current: 5 } });
    expect(run.body.quality.rows.change).toBeCloseTo(4000 / 1500 - 1, 12);
  });

  it('runs as a pipeline step, so a scheduled pipeline is a drift job', async () => {
    const name = unique('drift-job').replaceAll('_', '-');
    const registered = await call('POST', 'pipelines', { name, steps: [{ id: 'check', uses: 'drift.run', with: { view, reference, current: { lastHours: 24 * 6 }, label: 'fraud' } }] });
    expect(registered.status, JSON.stringify(registered.body)).toBe(201);
    const pipelines = pipelinesApi(host);
    const run = await pipelines.finished(await pipelines.start(name));
    expect(run.state, JSON.stringify(run)).toBe('succeeded');
    expect(run.steps.check?.outputs).toMatchObject({ drifted: true });
    expect(run.steps.check?.outputs?.driftedFeatures).toEqual(expect.arrayContaining(['amount', 'city', 'fraud']));
  });

  it('answers bad drift requests with 400 naming the field', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['drift/run', { view, reference, current, label: 'amount' }, 'label'],
      ['drift/run', { view, reference, current, tests: { city: { test: 'ks' } } }, 'tests.city.test'],
      ['drift/run', { view, reference, current, tests: { city: { test: 'wasserstein_normed' } } }, 'tests.city.test'],
      // Raw Wasserstein is in the feature's units: no default threshold fits every feature.
      ['drift/run', { view, reference, current, tests: { amount: { test: 'wasserstein' } } }, 'tests.amount.threshold'],
      ['drift/run', { view, reference: { profile: 'never-made' }, current }, 'reference.profile'],
      ['drift/run', { view, reference: { start: current.end, end: current.start }, current }, 'reference'],
      ['drift/profiles', { name: 'x', view }, 'window'],
    ];
    for (const [path, body, field] of cases) {
      const response = await call('POST', path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect((response.body.error.details as Array<{ field: string }>).map((d) => d.field).some((f) => f.startsWith(field)), JSON.stringify(response.body)).toBe(true);
    }
    expect((await call('GET', `drift/${view}?limit=0`)).status).toBe(400);
    expect((await call('GET', 'drift/never_checked')).status).toBe(404);
  });
});
