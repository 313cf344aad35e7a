import { Counter, Gauge } from 'prom-client';
import { metricsRegistry } from '../platform/metrics.js';

/**
 * Prometheus metrics of canary rollouts, set by the instance that ran the check (one activity
 * at a time per rollout): with several instances, a dashboard takes max() over instances of
 * the gauges and sum() of the counters.
 */

export const rolloutChecks = new Counter({
  name: 'arbor_rollout_checks_total',
  help: 'Rollout checks by endpoint and decision (advance, hold, fail, promote, rollback)',
  labelNames: ['endpoint', 'decision'] as const,
  registers: [metricsRegistry],
});

export const rolloutEvents = new Counter({
  name: 'arbor_rollouts_total',
  help: 'Rollouts by endpoint and event (started, promoted, rolled_back, aborted, failed)',
  labelNames: ['endpoint', 'event'] as const,
  registers: [metricsRegistry],
});

export const rolloutCandidateWeight = new Gauge({
  name: 'arbor_rollout_candidate_weight',
  help: "The rollout candidate's traffic weight (0-100) after the last decision, by endpoint",
  labelNames: ['endpoint'] as const,
  registers: [metricsRegistry],
});

export const rolloutFailedChecks = new Gauge({
  name: 'arbor_rollout_failed_checks',
  help: 'Failed checks so far in the endpoint’s current or last rollout',
  labelNames: ['endpoint'] as const,
  registers: [metricsRegistry],
});

export const rolloutActive = new Gauge({
  name: 'arbor_rollout_active',
  help: '1 while a rollout runs or is paused on the endpoint, 0 after it ends',
  labelNames: ['endpoint'] as const,
  registers: [metricsRegistry],
});

export const rolloutCheckFigure = new Gauge({
  name: 'arbor_rollout_check_value',
  help: 'Figures of the last check by endpoint: candidate_error_rate, candidate_p99_ms, stable_p99_ms, p99_ratio, score_psi',
  labelNames: ['endpoint', 'figure'] as const,
  registers: [metricsRegistry],
});
