import { z } from 'zod';
import { BadRequestError } from '../platform/errors.js';
import { duckTimestamp, fromDuckTimestamp, quoteIdentifier, withDuckDb } from '../platform/duckdb.js';
import type { Services } from '../platform/services.js';
import { eventTimestampColumn, type FeatureRegistry } from './definitions.js';
import { readJobRecord, writeJobRecord } from './jobs-store.js';
import { materializationFreshness, materializationRuns } from './metrics.js';
import { dateOf, emptyViewColumns, partsRelation, refuseArchived } from './offline.js';
import { writeOnline } from './online.js';
import type { FeatureStores } from './ports.js';
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
  const { view, entity } = requireView(registry, request.view);
  if (!view.online) throw new BadRequestError('view_not_online', `${view.name} is not served online`, [{ field: 'view', problem: `${view.name} has online: false` }]);
  const windowed = request.start !== undefined || request.end !== undefined;
  const watermark = windowed ? undefined : await readJobRecord(services, view.name, 'materialization', watermarkRecord);
  const since = watermark ? new Date(Date.parse(watermark.writtenAt) - watermarkOverlapMs) : undefined;

  let parts = await stores.offline.listPartitions(view.name, {
    ...(request.start ? { from: dateOf(request.start) } : {}),
    ...(request.end ? { to: dateOf(request.end) } : {}),
  });
  // A part last modified before the watermark holds nothing newer than it.
  if (since) parts = parts.filter((p) => p.lastModified >= since);
  refuseArchived(parts);

  const result: MaterializeResult = { view: view.name, mode: windowed ? 'window' : 'incremental', partitionsRead: parts.length, entities: 0, written: 0, older: 0 };
  try {
    await withDuckDb(async (session) => {
      const paths = await stores.offline.fetchPartitions(session, 'part', parts);
      const keys = entity.joinKeys.map((k) => quoteIdentifier(k.name));
      const filters = [
        ...(since ? ['_written_at > $since::TIMESTAMP'] : []),
        ...(request.start ? [`${eventTimestampColumn} >= $start::TIMESTAMP`] : []),
        ...(request.end ? [`${eventTimestampColumn} < $end::TIMESTAMP`] : []),
      ];
      await session.run(
        `CREATE TABLE latest AS SELECT * FROM ${partsRelation(paths, emptyViewColumns(view, entity))}
         ${filters.length ? `WHERE ${filters.join(' AND ')}` : ''}
         QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY ${eventTimestampColumn} DESC, _written_at DESC) = 1`,
        {
          ...(since ? { since: duckTimestamp(since) } : {}),
          ...(request.start ? { start: duckTimestamp(request.start) } : {}),
          ...(request.end ? { end: duckTimestamp(request.end) } : {}),
        },
      );
      const [summary] = await session.rows(`SELECT count(*) AS n, max(_written_at)::VARCHAR AS written, max(${eventTimestampColumn})::VARCHAR AS newest FROM latest`);
      result.entities = Number(summary?.n ?? 0);
      const features = view.features.map((f) => quoteIdentifier(f.name));
      const select = `SELECT ${keys.join(', ')}, epoch_ms(${eventTimestampColumn}) AS _ms, ${features.join(', ')} FROM latest ORDER BY rowid LIMIT ${materializeChunkRows} OFFSET $offset`;
      for (let offset = 0; offset < result.entities; offset += materializeChunkRows) {
        const chunk = (await session.rows(select, { offset })).map((row) => featureRowFromDuckDb(view, entity, row));
        const written = await writeOnline(stores.online, view, entity, chunk);
        result.written += written.written;
        result.older += written.older;
      }
      if (summary?.newest) materializationFreshness.set({ view: view.name }, (now.getTime() - fromDuckTimestamp(summary.newest).getTime()) / 1000);
      if (!windowed && summary?.written) {
        const writtenAt = fromDuckTimestamp(summary.written).toISOString();
        if (!watermark || writtenAt > watermark.writtenAt) {
          await writeJobRecord(services, view.name, 'materialization', watermarkRecord, { writtenAt, at: now.toISOString() });
          result.watermark = writtenAt;
        } else result.watermark = watermark.writtenAt;
      } else if (watermark) result.watermark = watermark.writtenAt;
    });
    materializationRuns.inc({ view: view.name, outcome: 'succeeded' });
    return result;
  } catch (error) {
    materializationRuns.inc({ view: view.name, outcome: 'failed' });
    throw error;
  }
}

/** Every online view, incrementally: what the materialization timer runs. */
export async function materializeOnlineViews(services: Services, stores: FeatureStores, registry: FeatureRegistry, now: Date): Promise<MaterializeResult[]> {
  const results: MaterializeResult[] = [];
  for (const view of registry.featureViews.filter((v) => v.online)) results.push(await materializeView(services, stores, registry, { view: view.name }, now));
  return results;
}
