import { app } from '@azure/functions';
import { messageOf } from '../../shared/platform/errors.js';
import { getServices } from '../../shared/platform/services.js';
import { listCollections } from '../../shared/vectors/collections.js';
import { snapshotCollection } from '../../shared/vectors/snapshot-job.js';
import { registrationSetting } from '../../shared/platform/settings.js';

/** Snapshots every changed shard of every collection; one collection failing does not stop the rest. */
app.timer('snapshot-vector-shards', {
  schedule: registrationSetting('ARBOR_VECTOR_SNAPSHOT_SCHEDULE'),
  handler: async (_timer, context) => {
    const services = getServices();
    for (const collection of await listCollections(services)) {
      try {
        const outcomes = await snapshotCollection(services, collection);
        const written = outcomes.filter((o) => o.written);
        if (written.length) context.log(`snapshot ${collection.name}: shards ${written.map((o) => o.shard).join(', ')}`);
      } catch (error) {
        context.warn(`snapshot ${collection.name} failed: ${messageOf(error)}`);
      }
    }
  },
});
