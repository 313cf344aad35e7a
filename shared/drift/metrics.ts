import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../platform/metrics.js';

export const driftScore = new Gauge({
  name: 'arbor_drift_score',
  help: 'Score of the deciding drift test of the last run, per view, feature and test (a p-value for ks, chi_square and proportions; a distance otherwise)',
  labelNames: ['view', 'feature', 'test'] as const,
  registers: [metricsRegistry],
});

export const driftDetected = new Gauge({
  name: 'arbor_drift_detected',
  help: '1 when the last drift run found the feature drifted, else 0',
  labelNames: ['view', 'feature', 'test'] as const,
  registers: [metricsRegistry],
});

export const driftNullRate = new Gauge({
  name: 'arbor_drift_null_rate',
  help: 'Share of rows without a value in the current window of the last drift run',
  labelNames: ['view', 'feature'] as const,
  registers: [metricsRegistry],
});

export const driftRuns = new Counter({
  name: 'arbor_drift_runs_total',
  help: 'Drift runs by view and outcome (drifted, stable, failed)',
  labelNames: ['view', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const driftLastRun = new Gauge({
  name: 'arbor_drift_last_run_timestamp_seconds',
  help: 'Unix time of the last completed drift run per view',
  labelNames: ['view'] as const,
  registers: [metricsRegistry],
});
