import { Pushgateway } from 'prom-client';
import { metricsRegistry } from './metrics.js';
import { startPeriodicTask, type PeriodicTask } from './periodic-task.js';

/**
 * In Azure, instances are many, short-lived and not addressable, so a scraper cannot reach each
 * one: where ARBOR_METRICS_PUSHGATEWAY_URL is set, each instance pushes its registry there
 * every interval, grouped by instance, and once more when it stops. (Azure Monitor's managed
 * Prometheus scrapes the Pushgateway; docs/monitoring.md says when to use which.)
 */
export function startMetricsPush(url: string, instance: string, intervalSeconds: number, onError: (error: unknown) => void): PeriodicTask {
  const gateway = new Pushgateway(url, { timeout: 5_000 }, metricsRegistry);
  return startPeriodicTask(() => gateway.pushAdd({ jobName: 'arbor', groupings: { instance } }), intervalSeconds, onError);
}
