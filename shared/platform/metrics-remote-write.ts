import { create, toBinary } from '@bufbuild/protobuf';
import { getBearerTokenProvider } from '@azure/identity';
import type { MetricObjectWithValues, MetricValueWithName, Registry } from 'prom-client';
import { compress } from 'snappyjs';
import { type TimeSeries, TimeSeriesSchema, WriteRequestSchema } from './generated/prometheus/remote_pb.js';
import { appCredential } from './app-credential.js';
import { startPeriodicTask, type PeriodicTask } from './periodic-task.js';
import type { Settings } from './settings.js';

/**
 * Prometheus remote write 1.0 (https://prometheus.io/docs/specs/remote_write_spec/): each
 * interval, every series of the registry as one sample, snappy-compressed protobuf, POSTed to
 * a receiver. In Azure the receiver is the Azure Monitor workspace's ingestion endpoint (a data
 * collection rule's), which wants an Entra token for https://monitor.azure.com; Grafana reads the
 * workspace. Counters and histograms are sent as their running totals, as a scrape would see
 * them, so rate() and histogram_quantile() work on the receiver as on a scraped target.
 */
export interface RemoteWriteTarget {
  url: string;
  /** Labels every series carries: which app and which instance sent it. */
  labels: Record<string, string>;
  /** A bearer token for each request (Entra in Azure); none for a receiver on a private network. */
  token?: () => Promise<string>;
  timeoutMs?: number;
}

export class RemoteWriteRefused extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    super(`remote write answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'RemoteWriteRefused';
  }
}

/** The registry's series at `timestampMs`, labels sorted by name as the protocol requires. */
export function timeSeriesOf(metrics: ReadonlyArray<MetricObjectWithValues<MetricValueWithName<string>>>, labels: Record<string, string>, timestampMs: number): TimeSeries[] {
  const series: TimeSeries[] = [];
  for (const metric of metrics) {
    for (const value of metric.values) {
      const all: Record<string, string> = { ...labels };
      for (const [name, labelValue] of Object.entries(value.labels)) if (labelValue !== undefined) all[name] = String(labelValue);
      all.__name__ = value.metricName ?? metric.name;
      series.push(
        create(TimeSeriesSchema, {
          labels: Object.keys(all)
            .sort()
            .map((name) => ({ name, value: all[name] as string })),
          samples: [{ value: value.value, timestamp: BigInt(timestampMs) }],
        }),
      );
    }
  }
  return series;
}

/** One remote write of the registry as it is now; refused answers throw RemoteWriteRefused. */
export async function writeRegistry(registry: Registry, target: RemoteWriteTarget, now = Date.now()): Promise<{ series: number; bytes: number }> {
  const metrics = (await registry.getMetricsAsJSON()) as Array<MetricObjectWithValues<MetricValueWithName<string>>>;
  const timeseries = timeSeriesOf(metrics, target.labels, now);
  const body = compress(toBinary(WriteRequestSchema, create(WriteRequestSchema, { timeseries })));
  const headers: Record<string, string> = {
    'content-type': 'application/x-protobuf',
    'content-encoding': 'snappy',
    'x-prometheus-remote-write-version': '0.1.0',
    'user-agent': 'arbor-remote-write/1',
  };
  if (target.token) headers.authorization = `Bearer ${await target.token()}`;
  const response = await fetch(target.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(target.timeoutMs ?? 10_000) });
  if (!response.ok) throw new RemoteWriteRefused(response.status, await response.text());
  await response.body?.cancel();
  return { series: timeseries.length, bytes: body.byteLength };
}

/** The remote-write target the settings name, if any: in Azure, with the managed identity's tokens for Azure Monitor. */
export function remoteWriteTargetOf(settings: Settings, instance: string): RemoteWriteTarget | undefined {
  const url = settings.ARBOR_METRICS_REMOTE_WRITE_URL;
  if (!url) return undefined;
  const labels = { job: 'arbor', instance };
  const auth = settings.ARBOR_METRICS_REMOTE_WRITE_AUTH;
  const azureMonitor = new URL(url).hostname.endsWith('.monitor.azure.com');
  if (auth === 'none' || (auth === 'auto' && !azureMonitor)) return { url, labels };
  return { url, labels, token: getBearerTokenProvider(appCredential(settings), 'https://monitor.azure.com/.default') };
}

/** Writes the registry every interval, one write at a time, and once more when stopped. */
export function startRemoteWrite(registry: Registry, target: RemoteWriteTarget, intervalSeconds: number, onError: (error: unknown) => void): PeriodicTask {
  return startPeriodicTask(() => writeRegistry(registry, target), intervalSeconds, onError);
}
