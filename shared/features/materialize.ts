import { z } from 'zod';
import { BadRequestError } from '../platform/errors.js';
import { duckTimestamp, fromDuckTimestamp, quoteIdentifier, withDuckDb } from '../platform/duckdb.js';
import type { Services } from '../platform/services.js';
import { eventTimestampColumn, type Entity, type FeatureRegistry, type FeatureView } from './definitions.js';
import { readJobRecord, writeJobRecord } from './jobs-store.js';
import { materializationFreshness, materializationRuns } from './metrics.js';
import { dateOf, emptyViewColumns, partsRelation, refuseArchived } from './offline.js';
import { writeOnline } from './online.js';
import type { FeatureStores, Partition } from './ports.js';
import { requireView } from './registry.js';
import { featureRowFromDuckDb } from './rows.js';

/** Rows read back from DuckDB and written to Redis at a time, so memory stays bounded. */
export const materializeChunkRows = 5_000;
/**
 * Parts written up to this long before the watermark are read again: a part whose upload
 * finished after a run listed the container is still picked up next time. Re-read rows are
 * skipped by the online write (not newer), so this costs reads, never correctness.
 */
const watermarkOverlapMs = 60_000;

const watermarkRecord = z.object({ writtenAt: z.iso.datetime(), at: z.iso.datetime() });

export interface MaterializeResult {
  view: string;
  mode: 'incremental' | 'window';
  partitionsRead: number;
  entities: number;
  written: number;
  older: number;
  watermark?: string;
}

/** Which offline rows a copy reads: written after `since` (and not after `until`), event time in [start, end). */
export interface MaterializeFilter {
  since?: Date;
  until?: Date;
  start?: Date;
  end?: Date;
}

export interface CopiedRows {
  entities: number;
  written: number;
  older: number;
  /** The newest `_written_at` and event time read, ISO; absent when nothing was read. */
  newestWrittenAt?: string;
  newestEvent?: string;
  /** True when `continueBefore` said stop: the chunks after it were not written. */
  stopped: boolean;
}

/** The newest stored watermark of a view, and the time from which parts must be read again. */
export async function materializeWatermark(services: Services, view: string): Promise<{ writtenAt?: string; since?: Date }> {
  const watermark = await readJobRecord(services, view, 'materialization', watermarkRecord);
  return watermark ? { writtenAt: watermark.writtenAt, since: new Date(Date.parse(watermark.writtenAt) - watermarkOverlapMs) } : {};
}

/** The view's partitions a materialization reads, archived ones refused (409 naming them all). */
export async function partitionsToMaterialize(stores: FeatureStores, view: string, filter: MaterializeFilter, dates: { from?: string; to?: string } = {}): Promise<Partition[]> {
  const from = dates.from ?? (filter.start ? dateOf(filter.start) : undefined);
  const to = dates.to ?? (filter.end ? dateOf(filter.end) : undefined);
  let parts = await stores.offline.listPartitions(view, { ...(from ? { from } : {}), ...(to ? { to } : {}) });
  // A part last modified before the watermark holds nothing newer than it.
  if (filter.since) parts = parts.filter((p) => p.lastModified >= filter.since!);
  refuseArchived(parts);
  return parts;
}

/**
 * Copies the newest row per entity of `parts` to the online store, in chunks of
 * materializeChunkRows. `continueBefore` is asked before each chunk; when it answers false
 * the copy stops there (a cancelled job), having written only whole chunks.
 */
export async function copyLatestRows(
  stores: FeatureStores,
  view: FeatureView,
  entity: Entity,
  parts: readonly Partition[],
  filter: MaterializeFilter,
  continueBefore: () => Promise<boolean> = async () => true,
): Promise<CopiedRows> {
  const copied: CopiedRows = { entities: 0, written: 0, older: 0, stopped: false };
  await withDuckDb(async (session) => {
    const paths = await stores.offline.fetchPartitions(session, 'part', parts);
    const keys = entity.joinKeys.map((k) => quoteIdentifier(k.name));
    const filters = [
      ...(filter.since ? ['_written_at > $since::TIMESTAMP'] : []),
      ...(filter.until ? ['_written_at <= $until::TIMESTAMP'] : []),
      ...(filter.start ? [`${eventTimestampColumn} >= $start::TIMESTAMP`] : []),
      ...(filter.end ? [`${eventTimestampColumn} < $end::TIMESTAMP`] : []),
    ];
    await session.run(
      `CREATE TABLE latest AS SELECT * FROM ${partsRelation(paths, emptyViewColumns(view, entity))}
       ${filters.length ? `WHERE ${filters.join(' AND ')}` : ''}
       QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${eventTimestampColumn} DESC, _written_at DESC) = 1`,
      {
        ...(filter.since ? { since: duckTimestamp(filter.since) } : {}),
        ...(filter.until ? { until: duckTimestamp(filter.until) } : {}),
        ...(filter.start ? { start: duckTimestamp(filter.start) } : {}),
        ...(filter.end ? { end: duckTimestamp(filter.end) } : {}),
      },
    );
    const [summary] = await session.rows(`SELECT count(*) AS n, max(_written_at)::VARCHAR AS written, max(${eventTimestampColumn})::VARCHAR AS newest FROM latest`);
    copied.entities = Number(summary?.n ?? 0);
    if (summary?.written) copied.newestWrittenAt = fromDuckTimestamp(summary.written).toISOString();
    if (summary?.newest) copied.newestEvent = fromDuckTimestamp(summary.newest).toISOString();
    const features = view.features.map((f) => quoteIdentifier(f.name));
    const select = `SELECT ${keys.join(', ')}, epoch_ms(${eventTimestampColumn}) AS _ms, ${features.join(', ')} FROM latest ORDER BY rowid LIMIT ${materializeChunkRows} OFFSET $offset`;
    for (let offset = 0; offset < copied.entities; offset += materializeChunkRows) {
      if (!(await continueBefore())) {
        copied.stopped = true;
        return;
      }
      const chunk = (await session.rows(select, { offset })).map((row) => featureRowFromDuckDb(view, entity, row));
      const written = await writeOnline(stores.online, view, entity, chunk);
      copied.written += written.written;
      copied.older += written.older;
    }
  });
  return copied;
}

/** Moves the view's watermark to `writtenAt` when that is newer than the stored one; the watermark now. */
export async function advanceWatermark(services: Services, view: string, stored: string | undefined, writtenAt: string | undefined, now: Date): Promise<string | undefined> {
  if (writtenAt && (!stored || writtenAt > stored)) {
    await writeJobRecord(services, view, 'materialization', watermarkRecord, { writtenAt, at: now.toISOString() });
    return writtenAt;
  }
  return stored;
}

/** The view's materialization metrics, after a run. */
export function recordMaterialization(view: string, outcome: 'succeeded' | 'failed', newestEvent: string | undefined, now: Date): void {
  if (newestEvent) materializationFreshness.set({ view }, (now.getTime() - Date.parse(newestEvent)) / 1000);
  materializationRuns.inc({ view, outcome });
}

/** The view a materialization names, refused (400) when it is not served online. */
export function onlineView(registry: FeatureRegistry, name: string): { view: FeatureView; entity: Entity } {
  const found = requireView(registry, name);
  if (!found.view.online) throw new BadRequestError('view_not_online', `${found.view.name} is not served online`, [{ field: 'view', problem: `${found.view.name} has online: false` }]);
  return found;
}

/**
 * Copies the newest row per entity from the offline store to the online one. Without a window
 * it is incremental: only rows written since the stored watermark (offline `_written_at`) are
 * read, and the watermark moves only after every chunk is written, so a crash repeats work
 * rather than losing it. With `start`/`end` it backfills that event-time window and leaves the
 * watermark alone. Either way it is idempotent: the online write keeps whichever row is newer.
 */
export async function materializeView(
  services: Services,
  stores: FeatureStores,
  registry: FeatureRegistry,
  request: { view: string; start?: Date; end?: Date },
  now: Date,
): Promise<MaterializeResult> {
  const { view, entity } = onlineView(registry, request.view);
  const windowed = request.start !== undefined || request.end !== undefined;
  const watermark = windowed ? {} : await materializeWatermark(services, view.name);
  const filter: MaterializeFilter = {
    ...(watermark.since ? { since: watermark.since } : {}),
    ...(request.start ? { start: request.start } : {}),
    ...(request.end ? { end: request.end } : {}),
  };
  const parts = await partitionsToMaterialize(stores, view.name, filter);
  const result: MaterializeResult = { view: view.name, mode: windowed ? 'window' : 'incremental', partitionsRead: parts.length, entities: 0, written: 0, older: 0 };
  try {
    const copied = await copyLatestRows(stores, view, entity, parts, filter);
    result.entities = copied.entities;
    result.written = copied.written;
    result.older = copied.older;
    const mark = windowed ? watermark.writtenAt : await advanceWatermark(services, view.name, watermark.writtenAt, copied.newestWrittenAt, now);
    if (mark) result.watermark = mark;
    recordMaterialization(view.name, 'succeeded', copied.newestEvent, now);
    return result;
  } catch (error) {
    recordMaterialization(view.name, 'failed', undefined, now);
    throw error;
  }
}

/** Every online view, incrementally: what the materialization timer runs. */
export async function materializeOnlineViews(services: Services, stores: FeatureStores, registry: FeatureRegistry, now: Date): Promise<MaterializeResult[]> {
  const results: MaterializeResult[] = [];
  for (const view of registry.featureViews.filter((v) => v.online)) results.push(await materializeView(services, stores, registry, { view: view.name }, now));
  return results;
}
