import { join } from 'node:path';
import { duckTimestamp, quoteIdentifier, quoteLiteral, withDuckDb, type DuckDbSession } from '../platform/duckdb.js';
import type { Services } from '../platform/services.js';
import { downloadBlob } from '../storage/blob-files.js';
import { eventTimestampColumn, type FeatureView } from '../features/definitions.js';
import { dateOf, refuseArchived } from '../features/offline.js';
import type { OfflineStore } from '../features/ports.js';

/** One feature's values in a window: sorted numbers, or category counts. */
export interface FeatureSample {
  kind: 'numeric' | 'categorical';
  /** Rows in the window, and how many had no value for this feature. */
  rows: number;
  nulls: number;
  sorted?: Float64Array;
  counts?: Map<string, number>;
  /** A profile holds quantiles, not every value: the tests see a smaller sample than `rows`. */
  summarized?: boolean;
}

export interface WindowSample {
  rows: number;
  features: Record<string, FeatureSample>;
}

export function sampleKind(type: FeatureView['features'][number]['type']): FeatureSample['kind'] | undefined {
  if (type === 'int64' || type === 'float64') return 'numeric';
  if (type === 'string' || type === 'bool') return 'categorical';
  return undefined; // vectors have no drift test here
}

/** Reads the features of a view within an event-time window from the offline store. */
export async function sampleWindow(offline: OfflineStore, view: FeatureView, window: { start: Date; end: Date }): Promise<WindowSample> {
  const parts = await offline.listPartitions(view.name, { from: dateOf(window.start), to: dateOf(window.end) });
  refuseArchived(parts);
  return withDuckDb(async (session) => {
    const paths = await offline.fetchPartitions(session, 'part', parts);
    if (!paths.length) return emptySample(view);
    await session.run(
      `CREATE TABLE window_rows AS SELECT * FROM read_parquet([${paths.map(quoteLiteral).join(', ')}], union_by_name = true)
       WHERE ${eventTimestampColumn} >= $start::TIMESTAMP AND ${eventTimestampColumn} < $end::TIMESTAMP`,
      { start: duckTimestamp(window.start), end: duckTimestamp(window.end) },
    );
    return readSample(session, 'window_rows', view, (feature) => feature);
  });
}

/** Reads the `view:feature` columns of a training set parquet blob. */
export async function sampleTrainingSet(services: Services, view: FeatureView, blob: { container: string; name: string }): Promise<WindowSample> {
  return withDuckDb(async (session) => {
    const path = join(session.scratch, 'training-set.parquet');
    await downloadBlob(services, blob, path);
    await session.run(`CREATE TABLE window_rows AS SELECT * FROM read_parquet(${quoteLiteral(path)})`);
    const columns = new Set((await session.rows('DESCRIBE window_rows')).map((r) => String(r.column_name)));
    const present = { ...view, features: view.features.filter((f) => columns.has(`${view.name}:${f.name}`)) };
    return readSample(session, 'window_rows', present, (feature) => `${view.name}:${feature}`);
  });
}

async function readSample(session: DuckDbSession, table: string, view: FeatureView, columnOf: (feature: string) => string): Promise<WindowSample> {
  const [count] = await session.rows(`SELECT count(*) AS n FROM ${table}`);
  const rows = Number(count?.n ?? 0);
  const features: Record<string, FeatureSample> = {};
  for (const feature of view.features) {
    const kind = sampleKind(feature.type);
    if (!kind) continue;
    const column = quoteIdentifier(columnOf(feature.name));
    const [nulls] = await session.rows(`SELECT count(*) FILTER (WHERE ${column} IS NULL) AS n FROM ${table}`);
    if (kind === 'numeric') {
      // DuckDB sorts (in parallel); JS only copies the column.
      const values = await session.column(`SELECT CAST(${column} AS DOUBLE) AS v FROM ${table} WHERE ${column} IS NOT NULL AND isfinite(CAST(${column} AS DOUBLE)) ORDER BY 1`);
      features[feature.name] = { kind, rows, nulls: Number(nulls?.n ?? 0), sorted: Float64Array.from(values as number[]) };
    } else {
      const counts = new Map<string, number>();
      for (const row of await session.rows(`SELECT CAST(${column} AS VARCHAR) AS value, count(*) AS n FROM ${table} WHERE ${column} IS NOT NULL GROUP BY 1`)) {
        counts.set(String(row.value), Number(row.n));
      }
      features[feature.name] = { kind, rows, nulls: Number(nulls?.n ?? 0), counts };
    }
  }
  return { rows, features };
}

function emptySample(view: FeatureView): WindowSample {
  const features: Record<string, FeatureSample> = {};
  for (const feature of view.features) {
    const kind = sampleKind(feature.type);
    if (kind) features[feature.name] = { kind, rows: 0, nulls: 0, ...(kind === 'numeric' ? { sorted: new Float64Array(0) } : { counts: new Map() }) };
  }
  return { rows: 0, features };
}
