import { app } from '@azure/functions';
import { archiveOldPartitions } from '../../shared/features/archive.js';
import { featureStores } from '../../shared/features/stores.js';
import { getServices } from '../../shared/platform/services.js';
import { registrationSetting } from '../../shared/platform/settings.js';

/** The offline lifecycle rule (archive after ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS), where no lifecycle policy runs it. */
app.timer('archive-offline-partitions', {
  schedule: registrationSetting('ARBOR_OFFLINE_ARCHIVE_SCHEDULE'),
  handler: async (_timer, context) => {
    const services = getServices();
    const moved = await archiveOldPartitions(featureStores(services).offline, services.settings.ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS, new Date());
    if (moved.length) context.log(`archived ${moved.length} offline partition(s)`);
  },
});
