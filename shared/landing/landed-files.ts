import { createHash } from 'node:crypto';
import { callDependency } from '../storage/dependency.js';
import type { Services } from '../platform/services.js';
import type { ContainerDefinition } from '../storage/cosmos.js';
import { getDataset, type FileFormat } from './datasets.js';
import { buildManifest, formatOfFileName, type FileManifest } from './manifest.js';

export const landedFilesContainer: ContainerDefinition = { id: 'landed-files', partitionKey: '/dataset' };

export interface LandedFile extends FileManifest {
  id: string;
  dataset: string;
  file: string;
  format: FileFormat;
  /** Bumped each time the file's content changes; a re-delivery of the same bytes keeps it. */
  version: number;
  firstSeenAt: string;
  updatedAt: string;
}

/** A landed file Arbor cannot accept; retrying will not help until someone fixes the cause. */
export class LandingRejectedError extends Error {
  override name = 'LandingRejectedError';
}

/** Cosmos ids may not contain '/', and file paths do. */
function fileId(file: string): string {
  return createHash('sha1').update(file).digest('hex');
}

function toLandedFile(resource: Record<string, unknown>): LandedFile {
  const { id, dataset, file, format, bytes, sha256, rows, version, firstSeenAt, updatedAt } =
    resource as unknown as LandedFile;
  return { id, dataset, file, format, bytes, sha256, rows, version, firstSeenAt, updatedAt };
}

/**
 * Catalogues one landed file. Idempotent: the same bytes delivered again write nothing, so a
 * trigger that fires twice for one blob leaves one record.
 */
export async function recordLandedFile(
  services: Services,
  landing: { dataset: string; file: string; content: Buffer; now: Date },
): Promise<{ file: LandedFile; written: boolean }> {
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
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(landedFilesContainer);
    const id = fileId(landing.file);
    const { resource: existing, etag } = await container.item(id, landing.dataset).read<Record<string, unknown>>();
    const previous = existing ? toLandedFile(existing) : undefined;
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
    if (previous && etag) {
      await container.item(id, landing.dataset).replace(record, { accessCondition: { type: 'IfMatch', condition: etag } });
    } else {
      await container.items.create(record);
    }
    return { file: record, written: true };
  });
}

export async function listLandedFiles(services: Services, dataset: string): Promise<LandedFile[]> {
  return callDependency('cosmos', async () => {
    const container = await services.cosmos.container(landedFilesContainer);
    const { resources } = await container.items
      .query<Record<string, unknown>>(
        { query: 'SELECT * FROM c WHERE c.dataset = @dataset ORDER BY c.file', parameters: [{ name: '@dataset', value: dataset }] },
        { partitionKey: dataset },
      )
      .fetchAll();
    return resources.map(toLandedFile);
  });
}
