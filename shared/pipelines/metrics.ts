import { Counter, Gauge, Histogram } from 'prom-client';
import { latencyBuckets, metricsRegistry } from '../platform/metrics.js';

export const pipelineRuns = new Counter({
  name: 'arbor_pipeline_runs_total',
  help: 'Pipeline runs by pipeline and event (started, succeeded, failed, cancelled)',
  labelNames: ['pipeline', 'event'] as const,
  registers: [metricsRegistry],
});

export const pipelineSteps = new Counter({
  name: 'arbor_pipeline_steps_total',
  help: 'Pipeline step attempts by step type and event (started, succeeded, failed)',
  labelNames: ['uses', 'event'] as const,
  registers: [metricsRegistry],
});

export const pipelineStepDuration = new Histogram({
  name: 'arbor_pipeline_step_duration_seconds',
  help: 'Duration of one step attempt',
  labelNames: ['uses'] as const,
  buckets: [...latencyBuckets, 30, 60, 120, 300, 600],
  registers: [metricsRegistry],
});

export const pipelineStepsInFlight = new Gauge({
  name: 'arbor_pipeline_steps_in_flight',
  help: 'Step attempts running in this instance (the step queue depth seen by this host)',
  registers: [metricsRegistry],
});
