import { Gauge, Histogram } from 'prom-client';
import { latencyBuckets, metricsRegistry } from '../platform/metrics.js';

export const vectorQueryDuration = new Histogram({
  name: 'arbor_vector_query_duration_seconds',
  help: 'Vector query latency (fan-out and merge) per collection',
  labelNames: ['collection'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const vectorShardSearchDuration = new Histogram({
  name: 'arbor_vector_shard_search_duration_seconds',
  help: 'Search latency inside one shard',
  labelNames: ['collection', 'shard'] as const,
  buckets: latencyBuckets,
  registers: [metricsRegistry],
});

export const vectorPartialQueries = new Histogram({
  name: 'arbor_vector_query_failed_shards',
  help: 'Shards that failed or passed their deadline per query (0 for a complete answer)',
  labelNames: ['collection'] as const,
  buckets: [0, 1, 2, 4, 8, 16, 64],
  registers: [metricsRegistry],
});

export const vectorShardItems = new Gauge({
  name: 'arbor_vector_shard_items',
  help: 'Live items per shard (as loaded on this instance)',
  labelNames: ['collection', 'shard'] as const,
  registers: [metricsRegistry],
});

export const vectorShardTombstones = new Gauge({
  name: 'arbor_vector_shard_tombstones',
  help: 'Deleted or replaced labels still in the shard index, until a rebuild',
  labelNames: ['collection', 'shard'] as const,
  registers: [metricsRegistry],
});

export const vectorShardLogRecords = new Gauge({
  name: 'arbor_vector_shard_log_records',
  help: 'Log records a restart would replay (written since the last snapshot)',
  labelNames: ['collection', 'shard'] as const,
  registers: [metricsRegistry],
});

export const vectorSnapshotTimestamp = new Gauge({
  name: 'arbor_vector_shard_snapshot_timestamp_seconds',
  help: 'Unix time of the shard\'s latest snapshot (snapshot age = time() - this)',
  labelNames: ['collection', 'shard'] as const,
  registers: [metricsRegistry],
});

export const vectorRecallSelfCheck = new Gauge({
  name: 'arbor_vector_recall_self_check',
  help: 'recall@10 of the shard index against exact search on a sample of its own vectors, at the last snapshot',
  labelNames: ['collection', 'shard'] as const,
  registers: [metricsRegistry],
});
