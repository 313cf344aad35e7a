import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import { dateOf, offlineContainer } from './offline-store.js';

/**
 * Moves offline parts whose event date is older than the configured age to the Archive tier:
 * the same rule infra/ sets as a lifecycle policy in Azure, run by a timer where there is none
 * (Azurite). Returns the parts it moved.
 */
export async function archiveOldPartitions(services: Services, now: Date): Promise<string[]> {
  const cutoff = dateOf(new Date(now.getTime() - services.settings.ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS * 86_400_000));
  return callDependency('blob', async () => {
    await services.ensureContainer(offlineContainer);
    const container = services.blob.getContainerClient(offlineContainer);
    const moved: string[] = [];
    for await (const blob of container.listBlobsFlat()) {
      const date = /\/date=(\d{4}-\d{2}-\d{2})\//.exec(blob.name)?.[1];
      if (!date || date >= cutoff || blob.properties.accessTier === 'Archive') continue;
      await container.getBlobClient(blob.name).setAccessTier('Archive');
      moved.push(blob.name);
    }
    return moved;
  });
}
