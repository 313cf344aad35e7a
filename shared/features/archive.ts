import { dateOf } from './offline.js';
import type { OfflineStore } from './ports.js';

/**
 * Moves offline partitions whose event date is older than `afterDays` to the archive tier: the
 * same rule infra/ sets as a lifecycle policy in Azure, run by a timer where there is none
 * (Azurite). Returns the partitions it moved.
 */
export async function archiveOldPartitions(offline: OfflineStore, afterDays: number, now: Date): Promise<string[]> {
  return offline.archiveBefore(dateOf(new Date(now.getTime() - afterDays * 86_400_000)));
}
