import { randomUUID } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { duckTimestamp, quoteIdentifier, quoteLiteral, type DuckDbSession } from '../platform/duckdb.js';
import { downloadBlob, uploadParquetFile, type BlobAccess } from '../storage/blob-files.js';
import { callDependency } from '../storage/dependency.js';
import { eventTimestampColumn, viewColumns, type Entity, type FeatureView } from './definitions.js';
import { dateOf } from './offline.js';
import type { OfflineStore, Partition } from './ports.js';

/**
 * The offline store as parquet in Blob Storage: container `offline`, one folder per view and
 * event date, `<view>/date=YYYY-MM-DD/<part>.parquet`, written to the Cool tier; training sets
 * in `training-sets/<date>/<uuid>.parquet`. DuckDB reads and writes the files in its session's
 * scratch folder; they travel through @azure/storage-blob (no DuckDB network extension).
 */
export const offlineContainer = 'offline';
export const trainingSetsContainer = 'training-sets';

const partPattern = /^([a-z][a-z0-9_-]*)\/date=(\d{4}-\d{2}-\d{2})\/[^/]+\.parquet$/;
const partDatePattern = /\/date=(\d{4}-\d{2}-\d{2})\//;

function partName(view: string, date: string, part: string): string {
  return `${view}/date=${date}/${part}.parquet`;
}

export class BlobParquetOfflineStore implements OfflineStore {
  constructor(private readonly storage: BlobAccess) {}

  listPartitions(view: string, range: { from?: string; to?: string } = {}): Promise<Partition[]> {
    return callDependency('blob', async () => {
      await this.storage.ensureContainer(offlineContainer);
      const container = this.storage.blob.getContainerClient(offlineContainer);
      const parts: Partition[] = [];
      for await (const blob of container.listBlobsFlat({ prefix: `${view}/date=` })) {
        const match = partPattern.exec(blob.name);
        if (!match || match[1] !== view) continue;
        const date = match[2] as string;
        if ((range.from && date < range.from) || (range.to && date > range.to)) continue;
        // A blob being rehydrated is still unreadable until the copy completes.
        const archived = blob.properties.accessTier === 'Archive' || Boolean(blob.properties.archiveStatus);
        parts.push({ name: blob.name, location: `${offlineContainer}/${blob.name}`, date, archived, lastModified: blob.properties.lastModified });
      }
      return parts;
    });
  }

  async fetchPartitions(session: DuckDbSession, folder: string, partitions: readonly Partition[]): Promise<string[]> {
    const paths: string[] = [];
    const queue = [...partitions.entries()];
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const [index, part] = next;
        const path = join(session.scratch, `${folder}-${index}.parquet`);
        await downloadBlob(this.storage, { container: offlineContainer, name: part.name }, path);
        paths[index] = path;
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, partitions.length) }, worker));
    return paths;
  }

  async writeParts(
    session: DuckDbSession,
    view: FeatureView,
    entity: Entity,
    typedQuery: string,
    part: string,
    writtenAt: Date,
  ): Promise<{ rows: number; partitions: string[] }> {
    const columns = viewColumns(view, entity).map((c) => quoteIdentifier(c.name));
    const folder = join(session.scratch, `out-${part}`);
    const rows = await session.run(
      `COPY (SELECT ${columns.join(', ')}, $writtenAt::TIMESTAMP AS _written_at, strftime(${eventTimestampColumn}, '%Y-%m-%d') AS date FROM (${typedQuery}))
       TO ${quoteLiteral(folder)} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date))`,
      { writtenAt: duckTimestamp(writtenAt) },
    );
    const partitions: string[] = [];
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const match = /^date=(\d{4}-\d{2}-\d{2})$/.exec(entry.name);
      if (!entry.isDirectory() || !match) continue;
      const files = (await readdir(join(folder, entry.name))).filter((f) => f.endsWith('.parquet'));
      for (const [index, file] of files.entries()) {
        const name = partName(view.name, match[1] as string, files.length > 1 ? `${part}-${index}` : part);
        await uploadParquetFile(this.storage, join(folder, entry.name, file), { container: offlineContainer, name }, 'Cool');
        partitions.push(name);
      }
    }
    return { rows, partitions };
  }

  archiveBefore(cutoff: string): Promise<string[]> {
    return callDependency('blob', async () => {
      await this.storage.ensureContainer(offlineContainer);
      const container = this.storage.blob.getContainerClient(offlineContainer);
      const moved: string[] = [];
      for await (const blob of container.listBlobsFlat()) {
        const date = partDatePattern.exec(blob.name)?.[1];
        if (!date || date >= cutoff || blob.properties.accessTier === 'Archive') continue;
        await container.getBlobClient(blob.name).setAccessTier('Archive');
        moved.push(blob.name);
      }
      return moved;
    });
  }

  async saveTrainingSet(path: string, now: Date): Promise<{ container: string; name: string }> {
    const name = `${dateOf(now)}/${randomUUID()}.parquet`;
    await uploadParquetFile(this.storage, path, { container: trainingSetsContainer, name });
    return { container: trainingSetsContainer, name };
  }
}
