import { app } from '@azure/functions';
import { ingestFile } from '../../shared/features/ingest.js';
import { loadRegistry } from '../../shared/features/registry.js';
import { blobTriggerOptions } from '../../shared/platform/blob-triggers.js';
import { getServices } from '../../shared/platform/services.js';
import { featureStores } from '../../shared/features/stores.js';

/**
 * A file at ingest/<view>/<file> enters the feature store, or is quarantined with its reason.
 * Only a dependency failure throws, so the host retries that and nothing else.
 */
app.storageBlob('ingest-feature-file', {
  ...blobTriggerOptions('ingest-feature-file', 'ingest/{view}/{file}'),
  handler: async (blob, context) => {
    const view = String(context.triggerMetadata?.view);
    const file = String(context.triggerMetadata?.file);
    const content = Buffer.isBuffer(blob) ? blob : Buffer.from(String(blob));
    const services = getServices();
    const outcome = await ingestFile(services, featureStores(services), await loadRegistry(services, { fresh: true }), { view, file, content }, new Date());
    if (outcome.status === 'quarantined') context.warn(`${view}/${file} quarantined: ${outcome.problems.map((p) => `${p.field} ${p.problem}`).join('; ')}`);
    else context.log(`${view}/${file}: ${outcome.status}`);
  },
});
