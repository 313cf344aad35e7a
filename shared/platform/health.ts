import type { DependencyName } from '../storage/dependency.js';
import { messageOf } from './errors.js';
import type { BlobTriggerHealth } from './event-grid-subscriptions.js';
import type { Services } from './services.js';

export interface DependencyHealth {
  status: 'up' | 'down';
  latencyMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'ok' | 'degraded';
  host: { id: string; startedAt: string; uptimeSeconds: number };
  dependencies: Record<DependencyName, DependencyHealth>;
  blobTriggers: BlobTriggerHealth;
}

const checkTimeoutMs = 2_000;

async function probe(check: () => Promise<unknown>): Promise<DependencyHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
      }),
    ]);
    return { status: 'up', latencyMs: round(performance.now() - started) };
  } catch (error) {
    return { status: 'down', latencyMs: round(performance.now() - started), error: messageOf(error) };
  } finally {
    clearTimeout(timer);
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

/**
 * Probes every dependency in parallel, each bounded by a timeout, beside the blob triggers'
 * check: a trigger known to lack its subscription degrades the app as a dependency down does.
 */
export async function checkHealth(services: Services, blobTriggerCheck: () => Promise<BlobTriggerHealth>): Promise<HealthReport> {
  const [redis, blob, cosmos, blobTriggers] = await Promise.all([
    probe(() => services.redis.ping()),
    probe(() => services.blob.getProperties()),
    probe(() => services.cosmos.ping()),
    blobTriggerCheck(),
  ]);
  const dependencies = { redis, blob, cosmos };
  const allUp = Object.values(dependencies).every((d) => d.status === 'up');
  const triggersFire = !('status' in blobTriggers) || blobTriggers.status !== 'missing';
  return {
    status: allUp && triggersFire ? 'ok' : 'degraded',
    host: {
      id: services.hostId,
      startedAt: services.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - services.startedAt.getTime()) / 1000),
    },
    dependencies,
    blobTriggers,
  };
}
