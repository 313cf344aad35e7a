import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, startChildService, type ChildService } from '../../local/emulators/child-service.js';
import { RemoteWriteRefused, remoteWriteTargetOf, writeRegistry } from '../../shared/platform/metrics-remote-write.js';
import { parseSettings } from '../../shared/platform/settings.js';
import { eventually, startHostProcess, uniqueName } from '../support/host-process.js';

/**
 * Remote write against a real receiver: Debian's Prometheus with its remote-write receiver on
 * (.ci/run installs it), read back with PromQL. First a registry written by hand, then the
 * running host writing its own metrics as an instance in Azure writes to the Monitor workspace.
 */
function installed(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const hasPrometheus = installed('prometheus');

describe.skipIf(!hasPrometheus)('metrics remote write to a real Prometheus', () => {
  let prometheus: ChildService;
  let folder: string;
  let base = '';

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'arbor-remote-write-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    await writeFile(join(folder, 'prometheus.yml'), 'global: { scrape_interval: 15s }\n');
    prometheus = await startChildService(
      'prometheus',
      'prometheus',
      [`--config.file=${join(folder, 'prometheus.yml')}`, `--storage.tsdb.path=${join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--web.enable-remote-write-receiver'],
      /Server is ready to receive web requests/,
    );
  }, 60_000);
  afterAll(async () => {
    await prometheus?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  /** The instant vector `query` evaluates to, as label sets with their values. */
  async function promql(query: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const answer = (await (await fetch(`${base}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as {
      data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    return answer.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  it('sends counters, gauges and histograms that PromQL reads back with their labels, values and quantiles', async () => {
    const registry = new Registry();
    const instance = uniqueName('unit');
    const requests = new Counter({ name: 'arbor_rw_test_requests_total', help: 'h', labelNames: ['route'], registers: [registry] });
    const depth = new Gauge({ name: 'arbor_rw_test_depth', help: 'h', registers: [registry] });
    const latency = new Histogram({ name: 'arbor_rw_test_seconds', help: 'h', buckets: [0.1, 1, 10], registers: [registry] });
    requests.inc({ route: 'a' }, 3);
    requests.inc({ route: 'b' }, 1);
    depth.set(-2.5);
    for (const seconds of [0.05, 0.05, 0.5, 5]) latency.observe(seconds);

    const target = { url: `${base}/api/v1/write`, labels: { job: 'arbor', instance } };
    const firstAt = Date.now();
    const sent = await writeRegistry(registry, target, firstAt);
    // 2 counter series, 1 gauge, and the histogram's 4 buckets (+Inf too), sum and count.
    expect(sent.series).toBe(2 + 1 + 4 + 2);

    const counters = await eventually(async () => {
      const found = await promql(`arbor_rw_test_requests_total{instance="${instance}"}`);
      return found.length === 2 ? found : undefined;
    });
    expect(Object.fromEntries(counters.map((c) => [c.metric.route, c.value]))).toEqual({ a: 3, b: 1 });
    expect(counters.every((c) => c.metric.job === 'arbor')).toBe(true);
    expect((await promql(`arbor_rw_test_depth{instance="${instance}"}`)).map((g) => g.value)).toEqual([-2.5]);
    const buckets = await promql(`arbor_rw_test_seconds_bucket{instance="${instance}"}`);
    expect(Object.fromEntries(buckets.map((b) => [b.metric.le, b.value]))).toEqual({ '0.1': 2, '1': 3, '10': 4, '+Inf': 4 });
    expect((await promql(`arbor_rw_test_seconds_sum{instance="${instance}"}`))[0]?.value).toBeCloseTo(5.6, 10);
    // The median falls in the first bucket: linear interpolation in [0, 0.1] at rank 2 of 2 there.
    expect((await promql(`histogram_quantile(0.5, arbor_rw_test_seconds_bucket{instance="${instance}"})`))[0]?.value).toBeCloseTo(0.1, 10);

    // A later write of the same series is a new sample, not a new series.
    requests.inc({ route: 'a' }, 4);
    await writeRegistry(registry, target, firstAt + 1_000);
    const later = await eventually(async () => {
      const [a] = await promql(`arbor_rw_test_requests_total{instance="${instance}",route="a"}`);
      return a?.value === 7 ? a : undefined;
    });
    expect(later.value).toBe(7);
    expect((await promql(`count_over_time(arbor_rw_test_requests_total{instance="${instance}",route="a"}[5m])`))[0]?.value).toBe(2);
  });

  it('reports a receiver that refuses the write with its status and reason', async () => {
    const registry = new Registry();
    new Gauge({ name: 'arbor_rw_test_refused', help: 'h', registers: [registry] }).set(1);
    const refused = await writeRegistry(registry, { url: `${base}/api/v1/no-such-endpoint`, labels: { job: 'arbor', instance: 'x' } }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RemoteWriteRefused);
    expect((refused as RemoteWriteRefused).status).toBe(404);
    // A sample far older than the receiver accepts: refused as a client error (400), with Prometheus's reason.
    const old = await writeRegistry(registry, { url: `${base}/api/v1/write`, labels: { job: 'arbor', instance: 'x' } }, Date.parse('2001-01-01T00:00:00Z')).catch((error: unknown) => error);
    expect(old).toBeInstanceOf(RemoteWriteRefused);
    expect((old as RemoteWriteRefused).status).toBe(400);
    expect((old as Error).message).toMatch(/out of bounds|too old/i);
  });

  it('receives the running host metrics when ARBOR_METRICS_REMOTE_WRITE_URL is set', async () => {
    const host = await startHostProcess({ ARBOR_METRICS_REMOTE_WRITE_URL: `${base}/api/v1/write`, ARBOR_METRICS_PUSH_INTERVAL_SECONDS: '1' });
    try {
      await fetch(`${host.url}/api/health`);
      const series = await eventually(async () => {
        const found = await promql('arbor_function_invocations_total{function="health",job="arbor"}');
        return found.length ? found : undefined;
      }, 20_000, 250);
      expect(series[0]?.value).toBeGreaterThanOrEqual(1);
      expect(series[0]?.metric.instance).toMatch(/\S/);
    } finally {
      await host.stop();
    }
  });
});

describe('the remote-write target the settings name', () => {
  const settings = (extra: Record<string, string>) => parseSettings({ ...inject('arborEnv'), ...extra });
  it('is none without a URL; carries an Entra token only for Azure Monitor, or when asked', () => {
    expect(remoteWriteTargetOf(settings({}), 'i-1')).toBeUndefined();
    const local = remoteWriteTargetOf(settings({ ARBOR_METRICS_REMOTE_WRITE_URL: 'http://127.0.0.1:9090/api/v1/write' }), 'i-1');
    expect(local).toEqual({ url: 'http://127.0.0.1:9090/api/v1/write', labels: { job: 'arbor', instance: 'i-1' } });
    const azure = 'https://dce-x.eastus-1.metrics.ingest.monitor.azure.com/dataCollectionRules/dcr-1/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24';
    expect(typeof remoteWriteTargetOf(settings({ ARBOR_METRICS_REMOTE_WRITE_URL: azure }), 'i-1')?.token).toBe('function');
    expect(remoteWriteTargetOf(settings({ ARBOR_METRICS_REMOTE_WRITE_URL: azure, ARBOR_METRICS_REMOTE_WRITE_AUTH: 'none' }), 'i-1')?.token).toBeUndefined();
    expect(typeof remoteWriteTargetOf(settings({ ARBOR_METRICS_REMOTE_WRITE_URL: 'https://metrics.example/write', ARBOR_METRICS_REMOTE_WRITE_AUTH: 'entra' }), 'i-1')?.token).toBe('function');
  });

  it('refuses a malformed URL or an unknown auth, naming the setting', () => {
    expect(() => settings({ ARBOR_METRICS_REMOTE_WRITE_URL: 'not a url' })).toThrow(/ARBOR_METRICS_REMOTE_WRITE_URL/);
    expect(() => settings({ ARBOR_METRICS_REMOTE_WRITE_URL: 'http://127.0.0.1:9090/api/v1/write', ARBOR_METRICS_REMOTE_WRITE_AUTH: 'basic' })).toThrow(/ARBOR_METRICS_REMOTE_WRITE_AUTH/);
  });
});
