import { z } from 'zod';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';

/** Per-view bookkeeping of the store's jobs: materialization watermarks and ingested file hashes. */
export const featureJobsContainer: ContainerDefinition = { id: 'feature-jobs', partitionKey: '/view' };

const jobKey = z.object({ id: z.string(), view: z.string() });
const jobRecords = <T extends object>(services: Services, schema: z.ZodType<T>) =>
  cosmosRepository(services.cosmos, featureJobsContainer, z.intersection(jobKey, schema));

/** A job's record of one view, parsed with the job's own schema; undefined when there is none. */
export async function readJobRecord<T extends object>(services: Services, view: string, id: string, schema: z.ZodType<T>): Promise<T | undefined> {
  return jobRecords(services, schema).read(id, view);
}

export async function writeJobRecord<T extends object>(services: Services, view: string, id: string, schema: z.ZodType<T>, record: T): Promise<void> {
  await jobRecords(services, schema).upsert({ ...record, id, view });
}

/** The newest records of one kind of a view, newest first by their `at`: the first page of a sorted query. */
export async function listJobRecords<T extends object>(services: Services, view: string, kind: string, schema: z.ZodType<T>, limit: number): Promise<Array<T & z.output<typeof jobKey>>> {
  return jobRecords(services, schema).firstPage(
    { query: 'SELECT * FROM c WHERE c.view = @view AND c.kind = @kind ORDER BY c.at DESC', parameters: [{ name: '@view', value: view }, { name: '@kind', value: kind }] },
    { partitionKey: view, maxItemCount: limit },
  );
}
