import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Services } from '../platform/services.js';
import { cosmosRepository, type ContainerDefinition } from '../storage/cosmos.js';
import { datasetName, fileFormats, getDataset } from './datasets.js';
import { buildManifest, formatOfFileName } from './manifest.js';

export const landedFilesContainer: ContainerDefinition = { id: 'landed-files', partitionKey: '/dataset' };

const landedFileDocument = z.object({
  id: z.string(),
  dataset: z.string(),
  file: z.string(),
  format: z.enum(fileFormats),
  bytes: z.number().int().min(0),
  sha256: z.string(),
  /** Data rows (CSV without its header, JSONL lines); null where counting needs a decoder (parquet). */
  rows: z.number().int().min(0).nullable(),
  /** Bumped each time the file's content changes; a re-delivery of the same bytes keeps it. */
  version: z.number().int().min(1),
  firstSeenAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type LandedFile = z.output<typeof landedFileDocument>;

const landedFiles = (services: Services) => cosmosRepository(services.cosmos, landedFilesContainer, landedFileDocument);

/** A landed file Arbor cannot accept; retrying will not help until someone fixes the cause. */
export class LandingRejectedError extends Error {
  override name = 'LandingRejectedError';
}

/** Cosmos ids may not contain '/', and file paths do. */
function fileId(file: string): string {
  return createHash('sha1').update(file).digest('hex');
}

/**
 * Catalogues one landed file. Idempotent: the same bytes delivered again write nothing, so a
 * trigger that fires twice for one blob leaves one record.
 */
export async function recordLandedFile(
  services: Services,
  landing: { dataset: string; file: string; content: Buffer; now: Date },
): Promise<{ file: LandedFile; written: boolean }> {
  // The hint must be a call that works: a folder that cannot be a dataset name gets no PUT to try.
  const nameCheck = datasetName.safeParse(landing.dataset);
  if (!nameCheck.success) {
    throw new LandingRejectedError(
      `"${landing.dataset}" cannot be a dataset (a dataset name ${nameCheck.error.issues[0]?.message ?? 'is invalid'}): land the file under landing/<dataset>/ of a registered one`,
    );
  }
  const dataset = await getDataset(services, landing.dataset);
  if (!dataset) {
    throw new LandingRejectedError(`dataset "${landing.dataset}" is not registered (PUT /api/datasets/${landing.dataset})`);
  }
  const format = formatOfFileName(landing.file);
  if (format !== dataset.format) {
    throw new LandingRejectedError(
      `file "${landing.file}" is ${format ?? 'of an unknown format'}, but dataset "${dataset.id}" takes ${dataset.format}`,
    );
  }
  const manifest = buildManifest(landing.content, format);
  const id = fileId(landing.file);
  const files = landedFiles(services);
  const stored = await files.readWithEtag(id, landing.dataset);
  const previous = stored?.document;
  if (previous && previous.sha256 === manifest.sha256) return { file: previous, written: false };
  const record: LandedFile = {
    id,
    dataset: landing.dataset,
    file: landing.file,
    format,
    ...manifest,
    version: (previous?.version ?? 0) + 1,
    firstSeenAt: previous?.firstSeenAt ?? landing.now.toISOString(),
    updatedAt: landing.now.toISOString(),
  };
  // Conditional writes: a concurrent delivery loses with 409/412 and the trigger retries it.
  if (stored?.etag) await files.replace(record, landing.dataset, stored.etag);
  else await files.create(record);
  return { file: record, written: true };
}

export async function listLandedFiles(services: Services, dataset: string): Promise<LandedFile[]> {
  return landedFiles(services).query(
    { query: 'SELECT * FROM c WHERE c.dataset = @dataset ORDER BY c.file', parameters: [{ name: '@dataset', value: dataset }] },
    { partitionKey: dataset },
  );
}
