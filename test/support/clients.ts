import { BlobServiceClient } from '@azure/storage-blob';
import { CosmosClient } from '@azure/cosmos';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

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
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}
