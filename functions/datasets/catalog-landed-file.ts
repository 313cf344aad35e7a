import { app } from '@azure/functions';
import { recordLandedFile } from '../../shared/landing/landed-files.js';
import { blobTriggerSource } from '../../shared/platform/blob-trigger-source.js';
import { getServices } from '../../shared/platform/services.js';

/**
 * A file dropped at landing/<dataset>/<file> is catalogued. A file that cannot be accepted
 * throws, so the host retries it and finally records it as poison: nothing is silently dropped.
 */
app.storageBlob('catalog-landed-file', {
  path: 'landing/{dataset}/{file}',
  connection: 'AzureWebJobsStorage',
  ...blobTriggerSource(),
  handler: async (blob, context) => {
    const dataset = String(context.triggerMetadata?.dataset);
    const file = String(context.triggerMetadata?.file);
    const content = Buffer.isBuffer(blob) ? blob : Buffer.from(String(blob));
    const { written, file: record } = await recordLandedFile(getServices(), { dataset, file, content, now: new Date() });
    context.log(written ? `catalogued ${dataset}/${file} v${record.version}` : `${dataset}/${file} unchanged`);
  },
});
