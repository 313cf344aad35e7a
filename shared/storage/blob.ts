import { BlobServiceClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';

/** Fail fast on a dead endpoint: a few quick tries instead of the SDK's minutes of back-off. */
const pipelineOptions: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 60_000 },
};

/** Where blob storage is: a connection string, or a service URI reached with a managed identity. */
export interface BlobStorageConfig {
  connectionString?: string | undefined;
  serviceUri?: string | undefined;
}

export function createBlobServiceClient(config: BlobStorageConfig): BlobServiceClient {
  if (config.connectionString) {
    return BlobServiceClient.fromConnectionString(config.connectionString, pipelineOptions);
  }
  // Identity-based connection, as infra/ configures the Function App.
  if (!config.serviceUri) throw new Error('no blob storage configured');
  return new BlobServiceClient(config.serviceUri, new DefaultAzureCredential(), pipelineOptions);
}

/** Creates the container once per process; later calls cost nothing. */
export function containerEnsurer(blob: BlobServiceClient): (name: string) => Promise<void> {
  const created = new Map<string, Promise<unknown>>();
  return async (name) => {
    let pending = created.get(name);
    if (!pending) {
      pending = blob.getContainerClient(name).createIfNotExists();
      created.set(name, pending);
      pending.catch(() => created.delete(name));
    }
    await pending;
  };
}
