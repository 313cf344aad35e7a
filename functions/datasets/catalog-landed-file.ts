import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { recordLandedFile } from '../../shared/landing/landed-files.js';
import { startLandedRuns } from '../../shared/pipelines/landed-runs.js';
import { blobTriggerOptions } from '../../shared/platform/blob-triggers.js';
import { getServices } from '../../shared/platform/services.js';

/**
 * A file dropped at landing/<dataset>/<file> is catalogued, then starts the pipelines whose
 * `on.landed` names it. A file that cannot be accepted throws, so the host retries it and
 * finally records it as poison: nothing is silently dropped.
 */
app.storageBlob('catalog-landed-file', {
  ...blobTriggerOptions('catalog-landed-file', 'landing/{dataset}/{file}'),
  extraInputs: [df.input.durableClient()],
  handler: async (blob, context) => {
    const dataset = String(context.triggerMetadata?.dataset);
    const file = String(context.triggerMetadata?.file);
    const content = Buffer.isBuffer(blob) ? blob : Buffer.from(String(blob));
    const now = new Date();
    const services = getServices();
    const { written, file: record } = await recordLandedFile(services, { dataset, file, content, now });
    context.log(written ? `catalogued ${dataset}/${file} v${record.version}` : `${dataset}/${file} unchanged`);
    const { started, failed } = await startLandedRuns(services, df.getClient(context), { dataset, file, version: record.version }, now);
    for (const runId of started) context.log(`started run ${runId} for ${dataset}/${file} v${record.version}`);
    for (const { pipeline, error } of failed) context.error(`${pipeline} could not start for ${dataset}/${file}: ${error}`);
  },
});
