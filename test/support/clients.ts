import { BlobServiceClient } from '@azure/storage-blob';
import { CosmosClient } from '@azure/cosmos';
import { Redis } from 'ioredis';
import { inject } from 'vitest';
import { removeKeysUnder } from '../../local/redis-prefix.js';

/** Direct clients to the run's real services, for arranging data and checking side effects. */
export function blobClient(): BlobServiceClient {
  return BlobServiceClient.fromConnectionString(inject('arborEnv').AzureWebJobsStorage as string);
}

export function cosmosClient(): CosmosClient {
  const env = inject('arborEnv');
  return new CosmosClient({
    endpoint: env.COSMOS_ENDPOINT as string,
    key: env.COSMOS_KEY as string,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
}

export function redisClient(): Redis {
  return new Redis(inject('arborEnv').REDIS_URL as string);
}

/** Removes every key under a test's prefix. */
export async function deleteRedisPrefix(redis: Redis, prefix: string): Promise<void> {
  await removeKeysUnder(redis, prefix);
}
