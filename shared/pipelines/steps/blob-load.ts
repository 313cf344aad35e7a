import type { Readable } from 'node:stream';
import { RestError } from '@azure/storage-blob';
import { z } from 'zod';
import { blobName, dataContainerName } from '../../storage/blob-names.js';
import { callDependency } from '../../storage/dependency.js';
import { defineStepType } from '../step-type.js';

const blobRefInput = z.strictObject({ container: dataContainerName, blob: blobName });

const tiers = ['Hot', 'Cool', 'Cold', 'Archive'] as const;

/** Publishes a staged blob to its target container, in the access tier asked for (Cool by default). */
export const blobLoadStep = defineStepType({
  name: 'blob.load',
  description: 'Copies a blob (usually a staged one) to a target container and name, in the given access tier (default Cool).',
  input: z
    .strictObject({ from: blobRefInput, to: blobRefInput, tier: z.enum(tiers).default('Cool') })
    .refine((input) => input.from.container !== input.to.container || input.from.blob !== input.to.blob, {
      message: 'from and to are the same blob',
      path: ['to'],
    }),
  run: async (input, context) => {
    const { from, to, tier } = input;
    const source = context.services.blob.getContainerClient(from.container).getBlobClient(from.blob);
    const target = context.services.blob.getContainerClient(to.container).getBlockBlobClient(to.blob);
    const abortSignal = context.signal;
    const bytes = await callDependency('blob', async () => {
      const properties = await source.getProperties({ abortSignal }).catch((error: unknown) => {
        if (error instanceof RestError && error.statusCode === 404) throw new Error(`${from.container}/${from.blob} does not exist`);
        throw error;
      });
      if (properties.accessTier === 'Archive') {
        throw new Error(`${from.container}/${from.blob} is in the archive tier: rehydrate it (set its tier to Hot or Cool) first`);
      }
      // Download and upload rather than a server-side copy: syncCopyFromURL needs a SAS source
      // with shared-key auth and is unreliable on Azurite; streaming keeps memory flat.
      // Pinning the ETag makes a blob replaced mid-copy fail instead of copying a mix.
      const download = await source.download(0, undefined, { abortSignal, conditions: { ifMatch: properties.etag } });
      await context.services.ensureContainer(to.container);
      // In Node the SDK's body is the HTTP response, a Readable.
      await target.uploadStream(download.readableStreamBody as Readable, 4 * 1024 * 1024, 4, {
        abortSignal,
        tier,
        blobHTTPHeaders: {
          blobContentType: properties.contentType,
          blobContentEncoding: properties.contentEncoding,
          blobCacheControl: properties.cacheControl,
        },
        metadata: properties.metadata,
      });
      return properties.contentLength ?? 0;
    });
    context.lineage.read({ container: from.container, name: from.blob });
    context.lineage.wrote({ container: to.container, name: to.blob });
    return { container: to.container, blob: to.blob, bytes, tier };
  },
});
