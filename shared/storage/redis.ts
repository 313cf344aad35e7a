import { Redis } from 'ioredis';
import type { Settings } from '../platform/settings.js';

/**
 * One connection per process with auto-pipelining (about 100k small ops/s on loopback).
 * Commands fail after one reconnect attempt instead of queueing forever, so a dead Redis
 * becomes a quick 503 rather than a hung request.
 */
export function createRedis(settings: Settings): Redis {
  return new Redis(settings.REDIS_URL, {
    keyPrefix: settings.REDIS_KEY_PREFIX,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 3_000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    lazyConnect: false,
  });
}
