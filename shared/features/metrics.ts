import { Counter, Gauge, Histogram } from 'prom-client';
import { latencyBuckets, metricsRegistry } from '../platform/metrics.js';

export const onlineRequestDuration = new Histogram({
  name: 'arbor_feature_online_request_seconds',
  help: 'Online feature lookups, from validated request to answer (registry and Redis included)',
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const onlineEntitiesServed = new Counter({
  name: 'arbor_feature_online_entities_total',
  help: 'Entities looked up in the online store',
  registers: [metricsRegistry],
});

export const onlineValuesServed = new Counter({
  name: 'arbor_feature_online_values_total',
  help: 'Feature values answered by the online store, by view and status (present, missing, stale)',
  labelNames: ['view', 'status'] as const,
  registers: [metricsRegistry],
});

export const rowsIngested = new Counter({
  name: 'arbor_feature_rows_ingested_total',
  help: 'Rows accepted into the feature store, by view and path (push, ingest)',
  labelNames: ['view', 'path'] as const,
  registers: [metricsRegistry],
});

export const rowsRejected = new Counter({
  name: 'arbor_feature_rows_rejected_total',
  help: 'Rows refused by validation (a quarantined file counts all its rows), by view and path',
  labelNames: ['view', 'path'] as const,
  registers: [metricsRegistry],
});

export const onlineRowsWritten = new Counter({
  name: 'arbor_feature_online_rows_written_total',
  help: 'Rows written to the online store, by view and outcome (written, older: skipped because a newer row is stored)',
  labelNames: ['view', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const materializationFreshness = new Gauge({
  name: 'arbor_feature_materialization_lag_seconds',
  help: 'Age of the newest event materialized to the online store, per view, at the end of the last materialization',
  labelNames: ['view'] as const,
  registers: [metricsRegistry],
});

export const materializationRuns = new Counter({
  name: 'arbor_feature_materializations_total',
  help: 'Materialization runs by view and outcome',
  labelNames: ['view', 'outcome'] as const,
  registers: [metricsRegistry],
});
