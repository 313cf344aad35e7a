import { createWriteStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { RestError, type BlobServiceClient } from '@azure/storage-blob';
import { callDependency } from './dependency.js';

/** A blob by container and name: what steps record as lineage and pass by reference. */
export interface BlobRef {
  container: string;
  name: string;
}

/** What the file helpers need of blob storage (the platform's Services has both). */
export interface BlobAccess {
  blob: BlobServiceClient;
  /** Creates the container if it does not exist yet. */
  ensureContainer: (name: string) => Promise<void>;
}

/** Downloads a blob to a local file; an archived blob says it must be rehydrated first. */
export async function downloadBlob(storage: Pick<BlobAccess, 'blob'>, blob: BlobRef, path: string): Promise<void> {
  await callDependency('blob', async () => {
    try {
      const response = await storage.blob.getContainerClient(blob.container).getBlobClient(blob.name).download();
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

/** Uploads a local parquet file (every file Arbor stages is parquet); returns its size in bytes. */
export async function uploadParquetFile(
  storage: BlobAccess,
  path: string,
  blob: BlobRef,
  tier?: 'Hot' | 'Cool' | 'Cold' | 'Archive',
): Promise<number> {
  return callDependency('blob', async () => {
    await storage.ensureContainer(blob.container);
    const content = await readFile(path);
    await storage.blob
      .getContainerClient(blob.container)
      .getBlockBlobClient(blob.name)
      .uploadData(content, { blobHTTPHeaders: { blobContentType: 'application/vnd.apache.parquet' }, ...(tier ? { tier } : {}) });
    return (await stat(path)).size;
  });
}
