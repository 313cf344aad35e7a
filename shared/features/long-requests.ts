import type { HttpResponseInit } from '@azure/functions';
import type { z } from 'zod';
import { ValidationError } from '../platform/errors.js';
import { json } from '../platform/http.js';
import type { Services } from '../platform/services.js';
import { callDependency } from '../storage/dependency.js';
import { checkEntityRows, historicalFeatures, inlineRowLimit, type HistoricalResult } from './historical.js';
import { stageEntityRowsForJob } from './historical-job.js';
import type { JobDocument } from './job-records.js';
import { newJobId, startJob, type JobStarter } from './job-service.js';
import { materializeView, materializeWatermark, onlineView, partitionsToMaterialize, type MaterializeResult } from './materialize.js';
import { loadRegistry } from './registry.js';
import { resolveFeatureRefs, type historicalRequestSchema, type materializeRequestSchema } from './requests.js';
import { formatOf } from './staging.js';
import { featureStores } from './stores.js';

/**
 * The two requests whose work can outlast an HTTP response (Azure ends every response at
 * 230 s, whatever functionTimeout says): answered inline while they are small, started as a
 * job (202, docs/features.md "Jobs") when they are not, or when the caller asks for one.
 */
export type Served<T> = { answer: T } | { job: JobDocument };

/**
 * A training-set blob up to this size is answered inline: about 10,000 CSV rows of a few
 * columns (inlineRowLimit), the most an inline request may carry. A blob's row count is not
 * known before it is read; its size is.
 */
export const inlineBlobBytes = 1024 * 1024;

export async function serveMaterialize(
  services: Services,
  client: JobStarter,
  body: z.output<typeof materializeRequestSchema>,
  options: { async: boolean },
  now: Date,
): Promise<Served<MaterializeResult>> {
  const registry = await loadRegistry(services, { fresh: true });
  const { view } = onlineView(registry, body.view);
  const request = { view: view.name, ...(body.start ? { start: new Date(body.start) } : {}), ...(body.end ? { end: new Date(body.end) } : {}) };
  let total = 0;
  if (!options.async) {
    // Listing is cheap and says how much there is to read: one job step's worth runs inline.
    const windowed = body.start !== undefined || body.end !== undefined;
    const since = windowed ? undefined : (await materializeWatermark(services, view.name)).since;
    const parts = await partitionsToMaterialize(featureStores(services), view.name, { ...request, ...(since ? { since } : {}) });
    if (parts.length <= services.settings.ARBOR_FEATURE_JOB_BATCH_PARTITIONS) return { answer: await materializeView(services, featureStores(services), registry, request, now) };
    total = parts.length;
  }
  const job = await startJob(
    services,
    client,
    {
      id: newJobId('materialize', now),
      kind: 'materialize',
      request: { kind: 'materialize', view: view.name, ...(body.start ? { start: body.start } : {}), ...(body.end ? { end: body.end } : {}) },
      progress: { done: 0, total, unit: 'partitions' },
    },
    now,
  );
  return { job };
}

export async function serveHistorical(
  services: Services,
  client: JobStarter,
  body: z.output<typeof historicalRequestSchema>,
  options: { async: boolean },
  now: Date,
): Promise<Served<HistoricalResult>> {
  const registry = await loadRegistry(services);
  const refs = resolveFeatureRefs(registry, body);
  const output = body.output ? { output: body.output } : {};
  const id = newJobId('historical', now);
  if (body.entityRows) {
    const rows = body.entityRows;
    if (!options.async && rows.length <= inlineRowLimit) return { answer: await historicalFeatures(services, featureStores(services).offline, registry, refs, { kind: 'inline', rows }, output) };
    // A bad row is the caller's to fix now (400 naming it), not a failed job later.
    await checkEntityRows(services, registry, refs, { kind: 'inline', rows });
    const staged = await stageEntityRowsForJob(services, registry, id, refs, rows);
    return { job: await startJob(services, client, { id, kind: 'historical', request: { kind: 'historical', features: refs, source: { kind: 'staged', ...staged } }, progress: { done: 0, total: rows.length, unit: 'rows' } }, now) };
  }
  const blob = body.entityRowsBlob!;
  const format = formatOf(blob.name);
  if (format !== 'csv' && format !== 'parquet') throw new ValidationError([{ field: 'entityRowsBlob.name', problem: 'must end in .csv or .parquet' }]);
  const size = await blobSize(services, blob);
  if (!options.async && size <= inlineBlobBytes) return { answer: await historicalFeatures(services, featureStores(services).offline, registry, refs, { kind: 'blob', ...blob }, output) };
  return { job: await startJob(services, client, { id, kind: 'historical', request: { kind: 'historical', features: refs, source: { kind: 'blob', ...blob } }, progress: { done: 0, total: 0, unit: 'rows' } }, now) };
}

async function blobSize(services: Services, blob: { container: string; name: string }): Promise<number> {
  const size = await callDependency('blob', async () => {
    const client = services.blob.getContainerClient(blob.container).getBlobClient(blob.name);
    return (await client.exists()) ? ((await client.getProperties()).contentLength ?? 0) : undefined;
  });
  if (size === undefined) throw new ValidationError([{ field: 'entityRowsBlob', problem: `${blob.container}/${blob.name} does not exist` }]);
  return size;
}

/** 200 with the answer, or 202 with where to follow the job (Location, as the durable API answers). */
export function servedResponse<T>(served: Served<T>, requestUrl: string, preferAsync: boolean): HttpResponseInit {
  if ('answer' in served) return json(200, served.answer);
  const statusUrl = new URL(`/api/jobs/${served.job.id}`, requestUrl).toString();
  return json(
    202,
    { jobId: served.job.id, kind: served.job.kind, state: served.job.state, progress: served.job.progress, statusUrl },
    { location: statusUrl, 'retry-after': '2', ...(preferAsync ? { 'preference-applied': 'respond-async' } : {}) },
  );
}
