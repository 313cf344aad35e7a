import type { BlobServiceClient } from '@azure/storage-blob';
import type { Registry } from 'prom-client';
import { createBlobServiceClient, containerEnsurer, type BlobStorageConfig } from '../storage/blob.js';
import { setDataContainers } from '../storage/blob-names.js';
import { createCosmosStore, type CosmosStore } from '../storage/cosmos.js';
import { NotConfiguredError } from './errors.js';
import { createRedis, type RedisClient, type RedisConfig } from '../storage/redis.js';
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
  redis: RedisClient;
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
  const blob = createBlobServiceClient(blobStorageConfig(settings));
  let cosmos: CosmosStore | undefined;
  return {
    settings,
    hostId: hostId(settings),
    startedAt: new Date(),
    blob,
    ensureContainer: containerEnsurer(blob),
    // Built on first use: without COSMOS_ENDPOINT only the functions that need Cosmos DB fail.
    get cosmos(): CosmosStore {
      if (!settings.COSMOS_ENDPOINT) throw new NotConfiguredError('COSMOS_ENDPOINT', 'Cosmos DB');
      cosmos ??= createCosmosStore({ ...settings, COSMOS_ENDPOINT: settings.COSMOS_ENDPOINT });
      return cosmos;
    },
    redis: createRedis(redisConfig(settings)),
    metrics: metricsRegistry,
  };
}

// The storage floor knows no setting names: its factories take these configs, read from settings.

export function blobStorageConfig(settings: Pick<Settings, 'AzureWebJobsStorage' | 'AzureWebJobsStorage__blobServiceUri'>): BlobStorageConfig {
  return { connectionString: settings.AzureWebJobsStorage, serviceUri: settings.AzureWebJobsStorage__blobServiceUri };
}

export function redisConfig(settings: Pick<Settings, 'REDIS_URL' | 'REDIS_KEY_PREFIX' | 'REDIS_ENTRA_AUTH' | 'AZURE_CLIENT_ID'> & Partial<Pick<Settings, 'REDIS_CLUSTER'>>): RedisConfig {
  return {
    cluster: settings.REDIS_CLUSTER === 'true',
    url: settings.REDIS_URL,
    keyPrefix: settings.REDIS_KEY_PREFIX,
    entraAuth: settings.REDIS_ENTRA_AUTH === undefined ? undefined : settings.REDIS_ENTRA_AUTH === 'true',
    managedIdentityClientId: settings.AZURE_CLIENT_ID,
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
  if (services.settings.COSMOS_ENDPOINT) services.cosmos.client.dispose();
}
