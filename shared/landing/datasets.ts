import { z } from 'zod';
import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import type { ContainerDefinition } from '../storage/cosmos.js';

/** A dataset is a named landing area: files dropped under landing/<dataset>/ are catalogued. */
export const datasetsContainer: ContainerDefinition = { id: 'datasets', partitionKey: '/id' };

export const datasetName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'must be 2-63 characters: lowercase letters, digits and -, starting with a letter or digit');

export const fileFormats = ['csv', 'jsonl', 'parquet'] as const;
export type FileFormat = (typeof fileFormats)[number];

export const datasetInput = z.strictObject({
  format: z.enum(fileFormats),
  description: z.string().max(1_000).default(''),
  owner: z.string().max(200).default(''),
});
export type DatasetInput = z.output<typeof datasetInput>;

export interface Dataset extends DatasetInput {
  id: string;
  createdAt: string;
  updatedAt: string;
}

function toDataset(resource: Record<string, unknown>): Dataset {
  const { id, format, description, owner, createdAt, updatedAt } = resource as unknown as Dataset;
  return { id, format, description, owner, createdAt, updatedAt };
}

export async function putDataset(
  services: Services,
  name: string,
  input: DatasetInput,
  now: Date,
): Promise<{ dataset: Dataset; created: boolean }> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(datasetsContainer);
    const existing = await getDataset(services, name);
    const dataset: Dataset = {
      id: name,
      ...input,
      createdAt: existing?.createdAt ?? now.toISOString(),
      updatedAt: now.toISOString(),
    };
    await container.items.upsert(dataset);
    return { dataset, created: !existing };
  });
}

export async function getDataset(services: Services, name: string): Promise<Dataset | undefined> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(datasetsContainer);
    const { resource } = await container.item(name, name).read<Record<string, unknown>>();
    return resource ? toDataset(resource) : undefined;
  });
}

export async function listDatasets(services: Services): Promise<Dataset[]> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(datasetsContainer);
    const { resources } = await container.items
      .query<Record<string, unknown>>('SELECT * FROM c ORDER BY c.id')
      .fetchAll();
    return resources.map(toDataset);
  });
}
