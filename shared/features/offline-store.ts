import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { callDependency } from '../storage/dependency.js';
import { ConflictError } from '../platform/errors.js';
import { duckTimestamp, quoteIdentifier, quoteLiteral, type DuckDbSession } from '../platform/duckdb.js';
import type { Services } from '../platform/services.js';
import { downloadBlob, uploadParquetFile } from '../storage/blob-files.js';
import { eventTimestampColumn, viewColumns, type Entity, type FeatureView } from './definitions.js';

/**
 * The offline store: parquet in the `offline` container, one folder per view and event date,
 * `<view>/date=YYYY-MM-DD/<part>.parquet`, written to the Cool tier. Each part holds the join
 * keys, event_timestamp (UTC), the features, and `_written_at`, which orders rewrites of one
 * (keys, event time) and drives incremental materialization.
 */
export const offlineContainer = 'offline';

export interface Partition {
  name: string;
  date: string;
  archived: boolean;
  lastModified: Date;
}

const partPattern = /^([a-z][a-z0-9_]*)\/date=(\d{4}-\d{2}-\d{2})\/[^/]+\.parquet$/;

export function partName(view: string, date: string, part: string): string {
  return `${view}/date=${date}/${part}.parquet`;
}

export function dateOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** The view's parts whose event date is within [from, to] (dates, inclusive). */
export async function listPartitions(services: Services, view: string, range: { from?: string; to?: string } = {}): Promise<Partition[]> {
  return callDependency('blob', async () => {
    await services.ensureContainer(offlineContainer);
    const container = services.blob.getContainerClient(offlineContainer);
    const parts: Partition[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: `${view}/date=` })) {
      const match = partPattern.exec(blob.name);
      if (!match || match[1] !== view) continue;
      const date = match[2] as string;
      if ((range.from && date < range.from) || (range.to && date > range.to)) continue;
      const tier = blob.properties.accessTier;
      // A blob being rehydrated is still unreadable until the copy completes.
      const archived = tier === 'Archive' || Boolean(blob.properties.archiveStatus);
      parts.push({ name: blob.name, date, archived, lastModified: blob.properties.lastModified });
    }
    return parts;
  });
}

/** A query must not silently skip data: archived parts stop it with a 409 naming each. */
export function refuseArchived(parts: readonly Partition[]): void {
  const archived = parts.filter((p) => p.archived).map((p) => `${offlineContainer}/${p.name}`);
  if (!archived.length) return;
  throw new ConflictError(
    `${archived.length} offline partition(s) needed by this query are in the archive tier; rehydrate them (set the tier to Cool) and retry`,
    { rehydrate: archived },
  );
}

/** Downloads parts into a folder of the session's scratch; returns their local paths. */
export async function downloadPartitions(services: Services, session: DuckDbSession, folder: string, parts: readonly Partition[]): Promise<string[]> {
  const paths: string[] = [];
  const queue = [...parts.entries()];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [index, part] = next;
      const path = join(session.scratch, `${folder}-${index}.parquet`);
      await downloadBlob(services, { container: offlineContainer, name: part.name }, path);
      paths[index] = path;
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, parts.length) }, worker));
  return paths;
}

/** `read_parquet` over the downloaded parts, or an empty relation with the view's columns. */
export function partsRelation(paths: readonly string[], emptyColumns: string): string {
  if (!paths.length) return `(SELECT ${emptyColumns} WHERE false)`;
  return `read_parquet([${paths.map(quoteLiteral).join(', ')}], union_by_name = true)`;
}

/** Typed NULL columns for a view, so an empty view still joins. */
export function emptyViewColumns(view: FeatureView, entity: Entity): string {
  return [...viewColumns(view, entity).map((c) => `NULL::${c.duckType} AS ${quoteIdentifier(c.name)}`), 'NULL::TIMESTAMP AS _written_at'].join(', ');
}

/**
 * Writes a typed query's rows (keys, event_timestamp, features) as one part per event date.
 * The part name is the caller's: an ingestion uses the file's hash, so a retried delivery
 * overwrites its own parts instead of adding copies.
 */
export async function writeOfflineParts(
  services: Services,
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
      await uploadParquetFile(services, join(folder, entry.name, file), { container: offlineContainer, name }, 'Cool');
      partitions.push(name);
    }
  }
  return { rows, partitions };
}
