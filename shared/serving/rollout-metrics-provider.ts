import type { Services } from '../platform/services.js';
import { ValidationError } from '../platform/errors.js';
import type { MetricsProviderName, VariantFigures } from './rollout-definitions.js';
import { prometheusProvider } from './rollout-prometheus.js';
import { readVariantWindow } from './window.js';

/**
 * Where a rollout reads what each variant did over an interval. Two implementations behind
 * one port: the shared windows in Redis (default: every instance writes them, nothing else to
 * run), and Prometheus (PromQL over its HTTP API, as Flagger queries it), for an app whose
 * instances are scraped or push to a Pushgateway that a Prometheus reads.
 */
export interface RolloutMetricsProvider {
  readonly name: MetricsProviderName;
  variant(endpoint: string, variant: string, seconds: number): Promise<VariantFigures>;
}

export function windowProvider(services: Pick<Services, 'redis'>): RolloutMetricsProvider {
  return {
    name: 'window',
    async variant(endpoint, variant, seconds) {
      const window = await readVariantWindow(services.redis, endpoint, variant, seconds);
      return {
        requests: window.requests,
        errors: window.errors,
        errorRate: window.errorRate,
        ...(window.latencyMs.p95 === undefined ? {} : { p95Ms: window.latencyMs.p95 }),
        ...(window.latencyMs.p99 === undefined ? {} : { p99Ms: window.latencyMs.p99 }),
        scoreCounts: window.scoreHistogram.counts,
      };
    },
  };
}

/** Why a rollout cannot use this provider on this app, or undefined. */
export function providerProblem(services: Pick<Services, 'settings'>, name: MetricsProviderName): string | undefined {
  if (name === 'prometheus' && !services.settings.ARBOR_PROMETHEUS_URL) return 'is prometheus, but ARBOR_PROMETHEUS_URL is not set on this app';
  return undefined;
}

export function metricsProvider(services: Pick<Services, 'redis' | 'settings'>, name: MetricsProviderName): RolloutMetricsProvider {
  const problem = providerProblem(services, name);
  if (problem) throw new ValidationError([{ field: 'metrics.provider', problem }]);
  return name === 'prometheus' ? prometheusProvider(services.settings.ARBOR_PROMETHEUS_URL as string) : windowProvider(services);
}
