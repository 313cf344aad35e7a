import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ValidationError, type ErrorDetail } from '../platform/errors.js';
import { duckTimestamp, fromDuckTimestamp, quoteIdentifier, quoteLiteral, withDuckDb, type DuckDbSession } from '../platform/duckdb.js';
import type { Services } from '../platform/services.js';
import { downloadBlob } from '../storage/blob-files.js';
import { duckDbType, eventTimestampColumn, type Entity, type FeatureRegistry, type FeatureView } from './definitions.js';
import { dateOf, emptyViewColumns, partsRelation, refuseArchived } from './offline.js';
import { planLookup } from './online.js';
import type { OfflineStore } from './ports.js';
import { fromDuckDb } from './online-layout.js';
import { formatOf, typedCast } from './staging.js';

/** Results up to this many rows come back inline; larger ones as a parquet blob. */
export const inlineRowLimit = 10_000;

export type EntityRowsSource =
  | { kind: 'inline'; rows: ReadonlyArray<Record<string, unknown>> }
  | { kind: 'blob'; container: string; name: string }
  /** Inline rows kept as a blob for a job, in entityRowsJsonl's form; problems name `entityRows[i]`. */
  | { kind: 'staged'; container: string; name: string };

export type HistoricalResult =
  | { rowCount: number; rows: Array<Record<string, unknown>> }
  | { rowCount: number; blob: { container: string; name: string }; columns: string[] };

/**
 * A point-in-time-correct training set: for each entity row, per view, the newest feature row
 * at or before the row's timestamp (DuckDB ASOF JOIN), dropped when older than the view's TTL.
 * A value from the future can never match, by the join's own inequality.
 */
export async function historicalFeatures(
  services: Services,
  offline: OfflineStore,
  registry: FeatureRegistry,
  refs: readonly string[],
  source: EntityRowsSource,
  options: { output?: 'inline' | 'blob' } = {},
): Promise<HistoricalResult> {
  return withDuckDb(async (session) => {
    // Rows that come back as a blob carry the caller's other columns (labels) through DuckDB;
    // rows answered inline get them merged back in JS instead (faster, stageEntityRows says why).
    const throughBlob = options.output === 'blob' || (source.kind === 'inline' && source.rows.length > inlineRowLimit);
    const { query, rowCount } = await trainingSetQuery(services, session, offline, registry, refs, source, { withCallerColumns: throughBlob });
    const inline = options.output !== 'blob' && source.kind === 'inline' && rowCount <= inlineRowLimit;
    if (inline) {
      const rows = await session.rows(query);
      return {
        rowCount,
        rows: rows.map((row, index) => {
          const original = source.rows[index] ?? {};
          const out: Record<string, unknown> = { ...original };
          for (const ref of refs) out[ref] = fromDuckDb(row[ref]);
          return out;
        }),
      };
    }
    const path = join(session.scratch, 'training-set.parquet');
    const columns = (await session.rows(`DESCRIBE ${query}`)).map((r) => String(r.column_name)).filter((c) => c !== '_row');
    await session.copyToParquet(`SELECT ${columns.map(quoteIdentifier).join(', ')} FROM (${query})`, path);
    return { rowCount, blob: await offline.saveTrainingSet(path, new Date()), columns };
  });
}

/**
 * Checks every entity row's keys and timestamp (400 naming the first bad row per column) and
 * counts them, without joining anything: what a training-set job checks before it starts.
 */
export async function checkEntityRows(services: Services, registry: FeatureRegistry, refs: readonly string[], source: EntityRowsSource): Promise<number> {
  return withDuckDb(async (session) => {
    await stageEntityRows(services, session, source, keyColumnsOf(registry, refs), false);
    const [count] = await session.rows('SELECT count(*) AS n FROM labels');
    return Number(count?.n ?? 0);
  });
}

/**
 * The training set of entity rows [from, to) (by position in the input), written as a local
 * parquet file that keeps `_row`, so chunks written apart can be put back in input order.
 * Every chunk reads the whole input, so the caller's columns get the same types in each.
 */
export async function writeTrainingSetChunk(
  services: Services,
  offline: OfflineStore,
  registry: FeatureRegistry,
  refs: readonly string[],
  source: EntityRowsSource,
  rows: { from: number; to: number },
  upload: (path: string) => Promise<void>,
): Promise<number> {
  return withDuckDb(async (session) => {
    const { query, rowCount } = await trainingSetQuery(services, session, offline, registry, refs, source, { withCallerColumns: true, rows });
    const path = join(session.scratch, 'chunk.parquet');
    await session.copyToParquet(query, path);
    await upload(path);
    return rowCount;
  });
}

/** The key columns the features' entities join on, each once. */
export function keyColumnsOf(registry: FeatureRegistry, refs: readonly string[]): Array<Entity['joinKeys'][number]> {
  return [...new Map(planLookup(registry, refs).flatMap((p) => p.entity.joinKeys.map((k) => [k.name, k] as const))).values()];
}

/** Stages the entity rows (as table `labels`) and the views they need; the query joining them, ordered by `_row`. */
async function trainingSetQuery(
  services: Services,
  session: DuckDbSession,
  offline: OfflineStore,
  registry: FeatureRegistry,
  refs: readonly string[],
  source: EntityRowsSource,
  options: { withCallerColumns: boolean; rows?: { from: number; to: number } },
): Promise<{ query: string; rowCount: number }> {
  const plans = planLookup(registry, refs);
  await stageEntityRows(services, session, source, keyColumnsOf(registry, refs), options.withCallerColumns, options.rows);
  const [range] = await session.rows(`SELECT min(${eventTimestampColumn})::VARCHAR AS lo, max(${eventTimestampColumn})::VARCHAR AS hi, count(*) AS n FROM labels`);
  const rowCount = Number(range?.n ?? 0);
  const lo = range?.lo ? fromDuckTimestamp(range.lo) : new Date();
  const hi = range?.hi ? fromDuckTimestamp(range.hi) : new Date();

  // Every view's partitions are listed before any is read, so one 409 names them all.
  const views = plans.flatMap((plan) => plan.views.map((group) => ({ ...group, entity: plan.entity })));
  const listed = await Promise.all(
    views.map(({ view }) => offline.listPartitions(view.name, { ...(view.ttlSeconds ? { from: dateOf(new Date(lo.getTime() - view.ttlSeconds * 1000)) } : {}), to: dateOf(hi) })),
  );
  refuseArchived(listed.flat());

  const joins: string[] = [];
  const selected: string[] = [];
  const outputs: string[] = [];
  const matched: string[] = [];
  for (const [index, { view, entity, features }] of views.entries()) {
    const alias = `v${index}`;
    const paths = await offline.fetchPartitions(session, alias, listed[index] ?? []);
    await createViewTable(session, alias, view, entity, paths, rowCount ? { lo, hi } : undefined);
    const on = entity.joinKeys.map((k) => `l.${quoteIdentifier(k.name)} = ${alias}.${quoteIdentifier(k.name)}`).join(' AND ');
    joins.push(`ASOF LEFT JOIN ${alias} ON ${on} AND l.${eventTimestampColumn} >= ${alias}._ts`);
    // TTL is an integer from the registry, not caller input.
    const fresh = view.ttlSeconds ? ` AND ${alias}._ts >= l.${eventTimestampColumn} - INTERVAL ${view.ttlSeconds} SECOND` : '';
    for (const feature of features) {
      const output = quoteIdentifier(`${view.name}:${feature}`);
      selected.push(`CASE WHEN ${alias}._ts IS NOT NULL${fresh} THEN ${alias}.${quoteIdentifier(feature)} END AS ${output}`);
      outputs.push(`j.${output}`);
    }
    // What each entity row matched, for the rewrite check below.
    matched.push(`${alias}._ts AS _ts_${alias}`, ...entity.joinKeys.map((k, n) => `l.${quoteIdentifier(k.name)} AS _key_${alias}_${n}`));
  }
  const join = `CREATE OR REPLACE TEMP TABLE joined AS SELECT l._row, ${[...selected, ...matched].join(', ')} FROM labels l ${joins.join(' ')}`;
  await session.run(join);
  // A (keys, event time) written twice keeps its last write, and only a row some entity row
  // matched can change the answer: the join above read the rows as they are, and is right
  // unless a matched (keys, event time) is stored more than once. Checking the matched ones
  // costs a hash join against the view's rows; checking every row, a hash aggregate over them
  // all, several times more (bench/features).
  let rewritten = false;
  for (const [index, { entity }] of views.entries()) {
    if (await matchesRewrittenRow(session, `v${index}`, entity)) {
      await keepLastWrites(session, `v${index}`, entity);
      rewritten = true;
    }
  }
  if (rewritten) await session.run(join);
  const query = `SELECT l.*, ${outputs.join(', ')} FROM labels l JOIN joined j ON l._row = j._row ORDER BY l._row`;
  return { query, rowCount };
}

/** Whether an entity row matched a (keys, event time) of the view `alias` that is stored more than once. */
async function matchesRewrittenRow(session: DuckDbSession, alias: string, entity: Entity): Promise<boolean> {
  const keys = entity.joinKeys.map((_, n) => `_key_${alias}_${n}`);
  const on = [...entity.joinKeys.map((k, n) => `a.${quoteIdentifier(k.name)} = m.${keys[n]}`), `a._ts = m._ts_${alias}`].join(' AND ');
  const [counts] = await session.rows(
    `WITH m AS (SELECT DISTINCT ${keys.join(', ')}, _ts_${alias} FROM joined WHERE _ts_${alias} IS NOT NULL)
     SELECT (SELECT count(*) FROM m) AS matched, (SELECT count(*) FROM ${alias}_all a JOIN m ON ${on}) AS stored`,
  );
  return Number(counts?.stored ?? 0) > Number(counts?.matched ?? 0);
}

/** The view `alias` with each (keys, event time) once, at its last write. */
async function keepLastWrites(session: DuckDbSession, alias: string, entity: Entity): Promise<void> {
  const keys = entity.joinKeys.map((k) => quoteIdentifier(k.name));
  await session.run(`DROP VIEW ${alias}`);
  await session.run(
    `CREATE TABLE ${alias} AS SELECT * EXCLUDE (_written_at) FROM ${alias}_all QUALIFY row_number() OVER (PARTITION BY ${keys.join(', ')}, _ts ORDER BY _written_at DESC) = 1`,
  );
  // The rows as written are not read again: one copy of the view's rows in memory, not two.
  await session.run(`DROP TABLE ${alias}_all`);
}

async function createViewTable(
  session: DuckDbSession,
  alias: string,
  view: FeatureView,
  entity: Entity,
  paths: readonly string[],
  window: { lo: Date; hi: Date } | undefined,
): Promise<void> {
  const keys = entity.joinKeys.map((k) => quoteIdentifier(k.name));
  const features = view.features.map((f) => quoteIdentifier(f.name));
  const relation = partsRelation(paths, emptyViewColumns(view, entity));
  const filters = window
    ? [`${eventTimestampColumn} <= $hi::TIMESTAMP`, ...(view.ttlSeconds ? [`${eventTimestampColumn} >= $lo::TIMESTAMP - INTERVAL ${view.ttlSeconds} SECOND`] : [])]
    : ['false'];
  await session.run(
    `CREATE TABLE ${alias}_all AS SELECT ${keys.join(', ')}, ${eventTimestampColumn} AS _ts, ${features.join(', ')}, _written_at FROM ${relation}
     WHERE ${filters.join(' AND ')}`,
    window ? { hi: duckTimestamp(window.hi), ...(view.ttlSeconds ? { lo: duckTimestamp(window.lo) } : {}) } : undefined,
  );
  // The join reads the rows through a view: copying millions of rows only to drop a column cost
  // as much as the join itself (bench/features). keepLastWrites replaces it when rewrites matter.
  await session.run(`CREATE VIEW ${alias} AS SELECT * EXCLUDE (_written_at) FROM ${alias}_all`);
}

/**
 * Inline entity rows as JSON lines that DuckDB reads with the caller's columns: `_row` first,
 * join keys as text (cast and checked by stageEntityRows).
 */
export function entityRowsJsonl(rows: ReadonlyArray<Record<string, unknown>>, keyColumns: readonly string[]): string {
  const keys = new Set(keyColumns);
  return rows
    .map((row, index) => {
      const copy: Record<string, unknown> = { _row: index };
      for (const [name, value] of Object.entries(row)) if (name !== '_row') copy[name] = keys.has(name) ? String(value) : value;
      return JSON.stringify(copy);
    })
    .join('\n');
}

/**
 * Loads the entity rows as table `labels` (_row, join keys typed, event_timestamp UTC, extra
 * columns); with `rows`, only those of position [from, to).
 */
async function stageEntityRows(
  services: Services,
  session: DuckDbSession,
  source: EntityRowsSource,
  keyColumns: ReadonlyArray<Entity['joinKeys'][number]>,
  withCallerColumns = false,
  rows?: { from: number; to: number },
): Promise<void> {
  let relation: string;
  if (source.kind === 'inline' && withCallerColumns) {
    const path = join(session.scratch, 'entity-rows.jsonl');
    await writeFile(path, entityRowsJsonl(source.rows, keyColumns.map((k) => k.name)));
    relation = `(SELECT * FROM read_json(${quoteLiteral(path)}, format = 'newline_delimited'))`;
  } else if (source.kind === 'staged') {
    const path = join(session.scratch, 'entity-rows.jsonl');
    await downloadBlob(services, { container: source.container, name: source.name }, path);
    relation = `(SELECT * FROM read_json(${quoteLiteral(path)}, format = 'newline_delimited'))`;
  } else if (source.kind === 'inline') {
    const path = join(session.scratch, 'entity-rows.jsonl');
    // Only the columns the join needs go to DuckDB; the caller's other columns are merged back in
    // JS. Keys and timestamps are checked by DuckDB's casts below, not per row in JS: for 100,000
    // rows a zod pass took 3.2 s, the whole join 2.5 s (bench/features).
    await writeFile(
      path,
      source.rows.map((row, index) => JSON.stringify({ _row: index, ...Object.fromEntries([...keyColumns.map((k) => [k.name, String(row[k.name])]), [eventTimestampColumn, row[eventTimestampColumn]]]) })).join('\n'),
    );
    const columns = ['_row: \'BIGINT\'', ...[...keyColumns.map((k) => k.name), eventTimestampColumn].map((c) => `${quoteLiteral(c)}: 'VARCHAR'`)];
    relation = `(SELECT * FROM read_json(${quoteLiteral(path)}, format = 'newline_delimited', columns = {${columns.join(', ')}}))`;
  } else {
    const format = formatOf(source.name);
    if (format !== 'csv' && format !== 'parquet') {
      throw new ValidationError([{ field: 'entityRowsBlob.name', problem: 'must end in .csv or .parquet' }]);
    }
    const path = join(session.scratch, `entity-rows.${format}`);
    await downloadBlob(services, { container: source.container, name: source.name }, path).catch((error: unknown) => {
      throw new ValidationError([{ field: 'entityRowsBlob', problem: error instanceof Error ? error.message : String(error) }]);
    });
    const reader = format === 'csv' ? `read_csv(${quoteLiteral(path)}, header = true)` : `read_parquet(${quoteLiteral(path)})`;
    relation = `(SELECT row_number() OVER () - 1 AS _row, * FROM ${reader})`;
    const present = (await session.rows(`DESCRIBE SELECT * FROM ${relation}`)).map((r) => String(r.column_name));
    const missing = [...keyColumns.map((k) => k.name), eventTimestampColumn].filter((c) => !present.includes(c));
    if (missing.length) throw new ValidationError(missing.map((c) => ({ field: `entityRowsBlob.${c}`, problem: 'is a required column and is missing' })));
  }
  const typed = [
    ...keyColumns.map((k) => ({ column: k.name, type: duckDbType(k.type) })),
    { column: eventTimestampColumn, type: 'TIMESTAMP' },
  ];
  // An int64 key is read from plain decimal text only, as the online route reads it (rows.ts
  // int64Schema): DuckDB's cast alone would also take ' 42', '+42' or '4.2'.
  const casts = typed.map(({ column, type }) => {
    const text = `CAST(${quoteIdentifier(column)} AS VARCHAR)`;
    const cast = typedCast(text, type);
    return `${type === 'BIGINT' ? `CASE WHEN regexp_full_match(${text}, '-?[0-9]+') THEN ${cast} END` : cast} AS ${quoteIdentifier(column)}`;
  });
  const range = rows ? ' WHERE _row >= $from AND _row < $to' : '';
  await session.run(`CREATE TABLE labels AS SELECT * REPLACE (${casts.join(', ')}) FROM ${relation}${range}`, rows ? { from: rows.from, to: rows.to } : undefined);
  const checks = typed.map(({ column }, i) => `count(*) FILTER (WHERE ${quoteIdentifier(column)} IS NULL) AS bad_${i}, min(_row) FILTER (WHERE ${quoteIdentifier(column)} IS NULL) AS first_${i}`);
  const [summary] = await session.rows(`SELECT ${checks.join(', ')} FROM labels`);
  const problems: ErrorDetail[] = [];
  typed.forEach(({ column, type }, i) => {
    const bad = Number(summary?.[`bad_${i}`] ?? 0);
    if (bad) problems.push({ field: source.kind !== 'blob' ? `entityRows[${String(summary?.[`first_${i}`])}].${column}` : `entityRowsBlob.${column}`, problem: `${bad} row(s) have no valid ${type === 'TIMESTAMP' ? 'ISO 8601 timestamp' : type}` });
  });
  if (problems.length) throw new ValidationError(problems);
}
