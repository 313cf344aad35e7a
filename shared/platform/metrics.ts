import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { observeStorageOperations } from '../storage/operation-observers.js';

/**
 * One registry for the whole process. Histograms, not summaries: a summary costs 5x per
 * observation and makes /metrics block the event loop (see shared/notes/components.md).
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry });

/** Fine enough between 1 ms and 10 s that p95/p99 interpolate within a bucket of ~1.5x. */
export const latencyBuckets = [
  0.001, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1, 1.5,
  2, 3, 5, 7.5, 10,
];

export const functionInvocations = new Counter({
  name: 'arbor_function_invocations_total',
  help: 'Function invocations by function, trigger and outcome (success, error, or the HTTP status class)',
  labelNames: ['function', 'trigger', 'outcome'] as const,
  registers: [metricsRegistry],
});

export const functionErrors = new Counter({
  name: 'arbor_function_errors_total',
  help: 'Function invocations that threw, or answered HTTP 5xx',
  labelNames: ['function', 'trigger'] as const,
  registers: [metricsRegistry],
});

export const functionDuration = new Histogram({
  name: 'arbor_function_duration_seconds',
  help: 'Function invocation latency',
  labelNames: ['function', 'trigger'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const storageOperations = new Counter({
  name: 'arbor_storage_operations_total',
  help: 'Storage operations by store, operation (read, query, write, delete) and container: what a request or a pipeline step costs in round trips and request units',
  labelNames: ['store', 'operation', 'container'] as const,
  registers: [metricsRegistry],
});
observeStorageOperations(({ store, operation, container }) => storageOperations.inc({ store, operation, container }));
