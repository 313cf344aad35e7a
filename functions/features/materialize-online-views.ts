import { app } from '@azure/functions';
import { materializeOnlineViews } from '../../shared/features/materialize.js';
import { loadRegistry } from '../../shared/features/registry.js';
import { getServices } from '../../shared/platform/services.js';
import { featureStores } from '../../shared/features/stores.js';
import { registrationSetting } from '../../shared/platform/settings.js';

/** Incremental materialization of every online view, from each view's stored watermark. */
app.timer('materialize-online-views', {
  schedule: registrationSetting('ARBOR_MATERIALIZE_SCHEDULE'),
  handler: async (_timer, context) => {
    const services = getServices();
    for (const result of await materializeOnlineViews(services, featureStores(services), await loadRegistry(services, { fresh: true }), new Date())) {
      context.log(`materialized ${result.view}: ${result.entities} entities, ${result.written} written, ${result.older} older`);
    }
  },
});
