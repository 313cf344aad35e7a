import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startChildService, type ChildService } from '../../local/emulators/child-service.js';
import { prometheusProvider } from '../../shared/serving/rollout-prometheus.js';
import { jsonApi } from '../support/json-api.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { registerTwoVersions, rolloutWhen, startTraffic } from '../support/serving-rollouts.js';

/** The rollout's Prometheus provider against a real Prometheus (.ci/run installs it) scraping a real host. */
describe('rollouts read from Prometheus (PromQL over its HTTP API)', () => {
  let host: HostProcess;
  let prometheus: ChildService;
  let folder = '';
  let prometheusUrl = '';
  const call = jsonApi(() => host);
  const model = uniqueName('prom');

  beforeAll(async () => {
    const port = await freePort();
    prometheusUrl = `http://127.0.0.1:${port}`;
    host = await startHostProcess({ ARBOR_SERVING_ALLOW_FAULTS: 'true', ARBOR_PROMETHEUS_URL: prometheusUrl });
    folder = await mkdtemp(join(tmpdir(), 'arbor-rollout-prometheus-'));
    await writeFile(
      join(folder, 'prometheus.yml'),
      ['global: { scrape_interval: 1s }', 'scrape_configs:', '  - job_name: arbor', '    metrics_path: /api/metrics', `    static_configs: [{ targets: ["${new URL(host.url).host}"] }]`].join('\n'),
    );
    prometheus = await startChildService(
      'prometheus',
      'prometheus',
      [`--config.file=${join(folder, 'prometheus.yml')}`, `--storage.tsdb.path=${join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      /Server is ready to receive web requests/,
    );
    await registerTwoVersions(call, model);
  });
  afterAll(async () => {
    await host?.stop();
    await prometheus?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('reads requests, error rate, p99 and the score histogram of each variant', async () => {
    const endpoint = uniqueName('scraped');
    const put = await call('PUT', `endpoints/${endpoint}`, {
      variants: [{ name: 'stable', model, version: 1, weight: 100 }, { name: 'broken', model, version: 2, weight: 0, faults: { errorRate: 1, latencyMs: 120 } }],
    });
    expect(put.status, put.text).toBe(201);
    const predict = (variant?: string) =>
      fetch(`${host.url}/api/endpoints/${endpoint}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(variant ? { 'x-arbor-variant': variant } : {}) },
        body: JSON.stringify({ inputs: { a: [0.5, -1], b: [1, 0] } }),
      }).then((r) => r.status);
    const provider = prometheusProvider(prometheusUrl);
    // The counters exist in Prometheus before the measured requests: increase() does not count a series' first sample.
    await predict();
    await predict('broken');
    const seriesQuery = `${prometheusUrl}/api/v1/query?query=${encodeURIComponent(`arbor_serving_requests_total{endpoint="${endpoint}"}`)}`;
    await eventually(async () => (((await (await fetch(seriesQuery)).json()) as { data: { result: unknown[] } }).data.result.length >= 2 ? true : undefined), 20_000, 250);
    const statuses = await Promise.all([...Array.from({ length: 30 }, () => predict()), ...Array.from({ length: 10 }, () => predict('broken'))]);
    expect(statuses.filter((s) => s === 500)).toHaveLength(10);

    const [stable, broken] = await eventually(async () => {
      const read = await Promise.all([provider.variant(endpoint, 'stable', 60), provider.variant(endpoint, 'broken', 60)]);
      return read[0].requests >= 25 && read[1].requests >= 8 ? read : undefined;
    }, 30_000, 500);
    // increase() extrapolates to the window's edges: counts are estimates near the true 31 and 11.
    expect(stable.requests).toBeLessThan(31 * 2);
    expect(stable.errorRate).toBe(0);
    expect(broken.errorRate).toBeGreaterThan(0.95);
    expect(broken.p99Ms).toBeGreaterThan(100);
    expect(stable.p99Ms).toBeGreaterThan(0);
    // Two rows per request, scored into the same 20 bins the shared window uses.
    const rows = stable.scoreCounts.reduce((sum, count) => sum + count, 0);
    expect(rows / stable.requests).toBeCloseTo(2, 0);
    expect(stable.scoreCounts).toHaveLength(20);
  });

  it('a rollout analysed from Prometheus rolls an erring candidate back', async () => {
    const endpoint = uniqueName('prom-canary');
    expect((await call('PUT', `endpoints/${endpoint}`, { variants: [{ name: 'stable', model, version: 1, weight: 100 }] })).status).toBe(201);
    const traffic = startTraffic(() => host, [endpoint]);
    try {
      const started = await call('POST', `endpoints/${endpoint}/rollouts`, {
        candidate: { model, version: 2, faults: { errorRate: 0.6 } },
        steps: [30, 100],
        intervalSeconds: 4,
        analysis: { minRequests: 3, maxErrorRate: 0.1 },
        failureLimit: 2,
        metrics: { provider: 'prometheus' },
      });
      expect(started.status, started.text).toBe(202);
      const done = await rolloutWhen(call, endpoint, started.body.id, (r) => r.state !== 'running', 90_000);
      expect(done.state, JSON.stringify(done.checks)).toBe('rolled_back');
      const failed = done.checks.filter((c) => c.decision === 'fail' || c.decision === 'rollback');
      expect(failed).toHaveLength(2);
      for (const check of failed) expect(check.reasons[0]).toMatch(/^error rate [\d.]+ > maxErrorRate 0.1$/);
    } finally {
      await traffic.stop();
    }
  }, 120_000);
});
