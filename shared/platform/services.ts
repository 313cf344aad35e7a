import type { BlobServiceClient } from '@azure/storage-blob';
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { createBlobServiceClient, containerEnsurer } from '../storage/blob.js';
import { setDataContainers } from '../storage/blob-names.js';
import { createCosmosStore, type CosmosStore } from '../storage/cosmos.js';
import { createRedis } from '../storage/redis.js';
import { setDuckDbLimits } from './duckdb.js';
import { metricsRegistry } from './metrics.js';
import { hostId, loadSettings, type Settings } from './settings.js';

/**
 * The platform's clients, built once per process from settings. Handlers take them from here
 * instead of creating their own, so both hosts and the tests wire them the same way.
 */
export interface Services {
  settings: Settings;
  hostId: string;
  startedAt: Date;
  blob: BlobServiceClient;
  ensureContainer: (name: string) => Promise<void>;
  cosmos: CosmosStore;
  redis: Redis;
  metrics: Registry;
}

let current: Services | undefined;

export function createServices(settings: Settings): Services {
  setDataContainers(settings.ARBOR_DATA_CONTAINERS);
  setDuckDbLimits({
    memoryLimit: settings.ARBOR_DUCKDB_MEMORY_LIMIT,
    maxTempDirectorySize: settings.ARBOR_DUCKDB_MAX_TEMP_SIZE,
    scratchRoot: settings.ARBOR_DUCKDB_SCRATCH_DIR,
  });
  const blob = createBlobServiceClient(settings);
  return {
    settings,
    hostId: hostId(settings),
    startedAt: new Date(),
    blob,
    ensureContainer: containerEnsurer(blob),
    cosmos: createCosmosStore(settings),
    redis: createRedis(settings),
    metrics: metricsRegistry,
  };
}

export function getServices(): Services {
  current ??= createServices(loadSettings());
  return current;
}

/** Closes connections so the process can exit cleanly (SIGTERM, end of tests). */
export async function closeServices(): Promise<void> {
  const services = current;
  current = undefined;
  if (!services) return;
  services.redis.disconnect();
  services.cosmos.client.dispose();
}
