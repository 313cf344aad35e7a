import { z } from 'zod';
import { nameSchema } from '../platform/names.js';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';

/** A dataset is a named landing area: files dropped under landing/<dataset>/ are catalogued. */
export const datasetsContainer: ContainerDefinition = { id: 'datasets', partitionKey: '/id' };

/** A dataset is named by the platform's one naming rule (shared/platform/names.ts). */
export const datasetName = nameSchema;

export const fileFormats = ['csv', 'jsonl', 'parquet'] as const;
export type FileFormat = (typeof fileFormats)[number];

export const datasetInput = z.strictObject({
  format: z.enum(fileFormats),
  description: z.string().max(1_000).default(''),
  owner: z.string().max(200).default(''),
});
export type DatasetInput = z.output<typeof datasetInput>;

const datasetDocument = z.object({
  ...datasetInput.shape,
  id: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Dataset = z.output<typeof datasetDocument>;

const datasets = (services: Services) => cosmosRepository(services.cosmos, datasetsContainer, datasetDocument);

export async function putDataset(
  services: Services,
  name: string,
  input: DatasetInput,
  now: Date,
): Promise<{ dataset: Dataset; created: boolean }> {
  const existing = await getDataset(services, name);
  const dataset: Dataset = {
    id: name,
    ...input,
    createdAt: existing?.createdAt ?? now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await datasets(services).upsert(dataset);
  return { dataset, created: !existing };
}

export async function getDataset(services: Services, name: string): Promise<Dataset | undefined> {
  return datasets(services).read(name, name);
}

export async function listDatasets(services: Services): Promise<Dataset[]> {
  return datasets(services).query('SELECT * FROM c ORDER BY c.id');
}
