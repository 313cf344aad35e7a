import { join } from 'node:path';
import { quoteIdentifier, quoteLiteral, withDuckDb } from '../platform/duckdb.js';
import type { Services } from '../platform/services.js';
import { downloadBlob, uploadParquetFile, type BlobRef } from '../storage/blob-files.js';
import { callDependency } from '../storage/dependency.js';
import { checkEntityRows, entityRowsJsonl, keyColumnsOf, writeTrainingSetChunk, type EntityRowsSource, type HistoricalResult } from './historical.js';
import type { JobStep, JobTally } from './job-contract.js';
import type { JobDocument } from './job-records.js';
import { trainingSetsContainer } from './parquet-offline-store.js';
import type { FeatureRegistry } from './definitions.js';
import { loadRegistry } from './registry.js';
import { featureStores } from './stores.js';

type HistoricalRequest = Extract<JobDocument['request'], { kind: 'historical' }>;

/**
 * A training set as a job: the entity rows in chunks of ARBOR_TRAINING_SET_ROWS_PER_STEP, each
 * chunk's point-in-time join written as a parquet chunk that keeps the rows' input position,
 * then the chunks put back together in input order as one training-set blob. Rows are
 * independent of each other in a point-in-time join, so chunking changes nothing in the values.
 * Every chunk reads the whole input (so the caller's extra columns get the same types in each)
 * and the partitions its rows' times need.
 */

const chunkBlob = (jobId: string, index: number): BlobRef => ({ container: trainingSetsContainer, name: `jobs/${jobId}/chunk-${String(index).padStart(5, '0')}.parquet` });
export const stagedRowsBlob = (jobId: string): BlobRef => ({ container: trainingSetsContainer, name: `jobs/${jobId}/entity-rows.jsonl` });

/** Keeps inline entity rows as a blob the job's steps read (the job record stays small). */
export async function stageEntityRowsForJob(services: Services, registry: FeatureRegistry, jobId: string, refs: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): Promise<BlobRef> {
  const blob = stagedRowsBlob(jobId);
  const text = entityRowsJsonl(rows, keyColumnsOf(registry, refs).map((k) => k.name));
  await callDependency('blob', async () => {
    await services.ensureContainer(blob.container);
    await services.blob.getContainerClient(blob.container).getBlockBlobClient(blob.name).upload(text, Buffer.byteLength(text));
  });
  return blob;
}

const sourceOf = (request: HistoricalRequest): EntityRowsSource => ({ kind: request.source.kind, container: request.source.container, name: request.source.name });

/** Every entity row checked (a bad one fails the job, naming it) and counted; one step per chunk. */
export async function planHistoricalJob(services: Services, request: HistoricalRequest): Promise<{ steps: JobStep[]; total: number }> {
  const registry = await loadRegistry(services, { fresh: true });
  const total = await checkEntityRows(services, registry, request.features, sourceOf(request));
  const steps: JobStep[] = [];
  // At least one step, so an input without rows still yields a (typed, empty) training set.
  const rowsPerStep = services.settings.ARBOR_TRAINING_SET_ROWS_PER_STEP;
  for (let from = 0; from < Math.max(total, 1); from += rowsPerStep) steps.push({ kind: 'rows', from, to: Math.min(from + rowsPerStep, Math.max(total, 1)) });
  return { steps, total };
}

export async function runHistoricalStep(services: Services, jobId: string, request: HistoricalRequest, step: Extract<JobStep, { kind: 'rows' }>, index: number): Promise<JobTally> {
  const registry = await loadRegistry(services);
  const rows = await writeTrainingSetChunk(services, featureStores(services).offline, registry, request.features, sourceOf(request), step, async (path) => {
    await uploadParquetFile(services, path, chunkBlob(jobId, index));
  });
  return { rows };
}

/** The chunks of a finished job as one training set, in input order; then its scratch blobs are removed. */
export async function finishHistoricalJob(services: Services, jobId: string, steps: number, outcome: 'succeeded' | 'failed' | 'cancelled', now: Date): Promise<HistoricalResult | undefined> {
  let result: HistoricalResult | undefined;
  if (outcome === 'succeeded') {
    result = await withDuckDb(async (session) => {
      const paths: string[] = [];
      for (let index = 0; index < steps; index++) {
        const path = join(session.scratch, `chunk-${index}.parquet`);
        await downloadBlob(services, chunkBlob(jobId, index), path);
        paths.push(path);
      }
      const chunks = `read_parquet([${paths.map(quoteLiteral).join(', ')}])`;
      const columns = (await session.rows(`DESCRIBE SELECT * FROM ${chunks}`)).map((r) => String(r.column_name)).filter((c) => c !== '_row');
      const path = join(session.scratch, 'training-set.parquet');
      const rowCount = await session.copyToParquet(`SELECT ${columns.map(quoteIdentifier).join(', ')} FROM ${chunks} ORDER BY _row`, path);
      return { rowCount, blob: await featureStores(services).offline.saveTrainingSet(path, now), columns };
    });
  }
  await removeJobBlobs(services, jobId);
  return result;
}

/** The staged input and every chunk: what a job keeps only while it runs. */
async function removeJobBlobs(services: Services, jobId: string): Promise<void> {
  await callDependency('blob', async () => {
    const container = services.blob.getContainerClient(trainingSetsContainer);
    for await (const blob of container.listBlobsFlat({ prefix: `jobs/${jobId}/` })) await container.deleteBlob(blob.name, { deleteSnapshots: 'include' }).catch(() => undefined);
  });
}
