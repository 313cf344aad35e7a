import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { RestError } from '@azure/storage-blob';
import { callDependency } from '../../platform/dependency.js';
import type { Services } from '../../platform/services.js';
import type { BlobRef } from '../step-type.js';

/** Downloads a blob to a local file; an archived blob says it must be rehydrated first. */
export async function downloadBlob(services: Services, blob: BlobRef, path: string): Promise<void> {
  await callDependency('blob', async () => {
    try {
      const response = await services.blob.getContainerClient(blob.container).getBlobClient(blob.name).download();
      await pipeline(response.readableStreamBody as NodeJS.ReadableStream, createWriteStream(path));
    } catch (error) {
      if (error instanceof RestError && error.code === 'BlobArchived') {
        throw new Error(`${blob.container}/${blob.name} is in the archive tier: rehydrate it (set its tier to Hot or Cool) first`);
      }
      if (error instanceof RestError && error.statusCode === 404) throw new Error(`${blob.container}/${blob.name} does not exist`);
      throw error;
    }
  });
}

export async function uploadFile(
  services: Services,
  path: string,
  blob: BlobRef,
  tier?: 'Hot' | 'Cool' | 'Cold' | 'Archive',
): Promise<number> {
  return callDependency('blob', async () => {
    await services.ensureContainer(blob.container);
    const content = await readFile(path);
    await services.blob
      .getContainerClient(blob.container)
      .getBlockBlobClient(blob.name)
      .uploadData(content, { blobHTTPHeaders: { blobContentType: 'application/vnd.apache.parquet' }, ...(tier ? { tier } : {}) });
    return (await stat(path)).size;
  });
}

