import { Counter, Gauge, Histogram } from 'prom-client';
import { latencyBuckets, metricsRegistry } from '../platform/metrics.js';

/** Per-instance Prometheus metrics of serving; the shared per-variant windows are in window.ts. */

export const predictRequests = new Counter({
  name: 'arbor_serving_requests_total',
  help: 'Predict requests by endpoint, variant and outcome (ok, rejected: 4xx after routing, error: 5xx)',
  labelNames: ['endpoint', 'variant', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const predictDuration = new Histogram({
  name: 'arbor_serving_request_duration_seconds',
  help: 'Predict latency by endpoint and variant, from validated request to answer (features, scoring, injected faults)',
  labelNames: ['endpoint', 'variant'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const predictionsServed = new Counter({
  name: 'arbor_serving_predictions_total',
  help: 'Rows scored, by endpoint and variant',
  labelNames: ['endpoint', 'variant'] as const,
  registers: [metricsRegistry],
});

export const scoreDistribution = new Histogram({
  name: 'arbor_serving_score',
  help: 'Scores returned, by endpoint and variant (probabilities: 0-1)',
  labelNames: ['endpoint', 'variant'] as const,
  buckets: [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1],
  registers: [metricsRegistry],
});

export const featureValuesUsed = new Counter({
  name: 'arbor_serving_feature_values_total',
  help: 'Feature values fed to models, by endpoint and status (present, defaulted: missing or stale and replaced by the signature default)',
  labelNames: ['endpoint', 'status'] as const,
  registers: [metricsRegistry],
});

export const modelLoadDuration = new Histogram({
  name: 'arbor_serving_model_load_seconds',
  help: 'Cold loads of a model version into an inference session (blob read, SHA-256 check, onnxruntime session)',
  labelNames: ['model'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const sessionsLoaded = new Gauge({
  name: 'arbor_serving_sessions_loaded',
  help: 'Inference sessions held by this instance',
  registers: [metricsRegistry],
});

export const shadowRequests = new Counter({
  name: 'arbor_serving_shadow_requests_total',
  help: 'Requests mirrored to an endpoint shadow, by endpoint and outcome (ok, error)',
  labelNames: ['endpoint', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const shadowAgreement = new Gauge({
  name: 'arbor_serving_shadow_agreement_ratio',
  help: 'Share of mirrored rows where the shadow and the answering variant decide alike (score >= 0.5), over the last 5 minutes of the shared window',
  labelNames: ['endpoint'] as const,
  registers: [metricsRegistry],
});

export const shadowScorePsi = new Gauge({
  name: 'arbor_serving_shadow_score_psi',
  help: "Population stability index of the shadow's scores against the answering variants' scores for the same rows, last 5 minutes",
  labelNames: ['endpoint'] as const,
  registers: [metricsRegistry],
});
