import { BlobServiceClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { DefaultAzureCredential } from '@azure/identity';
import type { Settings } from '../platform/settings.js';

/** Fail fast on a dead endpoint: a few quick tries instead of the SDK's minutes of back-off. */
const pipelineOptions: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000, tryTimeoutInMs: 60_000 },
};

export function createBlobServiceClient(settings: Settings): BlobServiceClient {
  if (settings.AzureWebJobsStorage) {
    return BlobServiceClient.fromConnectionString(settings.AzureWebJobsStorage, pipelineOptions);
  }
  // Identity-based connection, as infra/ configures the Function App.
  const url = settings.AzureWebJobsStorage__blobServiceUri;
  if (!url) throw new Error('no blob storage configured');
  return new BlobServiceClient(url, new DefaultAzureCredential(), pipelineOptions);
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
