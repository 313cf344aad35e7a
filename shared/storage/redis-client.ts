import type { Cluster, Redis } from 'ioredis';

/**
 * A connection to Redis: one node, or a Redis Cluster (Azure Managed Redis with the OSS
 * clustering policy, REDIS_CLUSTER=true). Code that sends several keys in one command,
 * transaction or script keeps them in one hash slot (hash tags, `{...}`); commands over many
 * slots go one by one, and auto-pipelining groups them per node (docs/features.md, docs/rag.md).
 */
export type RedisClient = Redis | Cluster;
