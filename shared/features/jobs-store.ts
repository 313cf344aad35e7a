import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import type { ContainerDefinition } from '../storage/cosmos.js';

/** Per-view bookkeeping of the store's jobs: materialization watermarks and ingested file hashes. */
export const featureJobsContainer: ContainerDefinition = { id: 'feature-jobs', partitionKey: '/view' };

export async function readJobRecord<T extends object>(services: Services, view: string, id: string): Promise<T | undefined> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(featureJobsContainer);
    const { resource } = await container.item(id, view).read<T & { id: string; view: string }>();
    return resource ?? undefined;
  });
}

export async function writeJobRecord<T extends object>(services: Services, view: string, id: string, record: T): Promise<void> {
  await callDependency('cosmos', async () => {
    const container = await services.cosmos.container(featureJobsContainer);
    await container.items.upsert({ ...record, id, view });
  });
}
