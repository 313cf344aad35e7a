import type { ErrorDetail } from '../platform/errors.js';
import { duckTimestamp, quoteIdentifier, quoteLiteral, type DuckDbSession } from '../platform/duckdb.js';
import { eventTimestampColumn, viewColumns, type Entity, type FeatureView } from './definitions.js';
import { futureProblem, latestEventTime, type EventTimeBound } from './rows.js';

/**
 * Every way rows enter the store (a pushed batch, an ingested CSV/JSONL/parquet file) goes
 * through the same two steps: the file is staged as text columns in a DuckDB table, then checked
 * against the view's schema with TRY_CAST, so one bad cell is found with its row number before
 * anything is written. The typed SELECT over the staged table is the only way rows leave.
 */
export type StagedFormat = 'csv' | 'jsonl' | 'parquet';

export const stagedTable = 'staged';

export function formatOf(fileName: string): StagedFormat | undefined {
  const extension = fileName.toLowerCase().split('.').pop();
  if (extension === 'csv') return 'csv';
  if (extension === 'jsonl' || extension === 'ndjson') return 'jsonl';
  if (extension === 'parquet') return 'parquet';
  return undefined;
}

function reader(format: StagedFormat, path: string): string {
  switch (format) {
    case 'csv':
      return `read_csv(${quoteLiteral(path)}, header = true, all_varchar = true)`;
    case 'jsonl':
      return `read_json(${quoteLiteral(path)}, format = 'newline_delimited')`;
    case 'parquet':
      return `read_parquet(${quoteLiteral(path)})`;
  }
}


/**
 * Stages a file as text columns, row-numbered in file order. Fails with the problems (wrong or
 * missing columns, an unreadable file) instead of throwing DuckDB's message at the caller.
 */
export async function stageFile(
  session: DuckDbSession,
  path: string,
  format: StagedFormat,
  view: FeatureView,
  entity: Entity,
): Promise<ErrorDetail[]> {
  const source = reader(format, path);
  let columns: string[];
  try {
    columns = (await session.rows(`DESCRIBE SELECT * FROM ${source}`)).map((row) => String(row.column_name));
  } catch (error) {
    return [{ field: '(file)', problem: `cannot be read as ${format}: ${firstLine(error)}` }];
  }
  const expected = viewColumns(view, entity).map((c) => c.name);
  const problems: ErrorDetail[] = [];
  for (const column of columns) {
    if (!expected.includes(column)) problems.push({ field: column, problem: `is not a column of ${view.name} (expected ${expected.join(', ')})` });
  }
  for (const column of viewColumns(view, entity)) {
    if (column.required && !columns.includes(column.name)) problems.push({ field: column.name, problem: 'is missing' });
  }
  if (problems.length) return problems;
  // Feature columns a file leaves out are null; every column is staged as text.
  const select = expected
    .map((column) => (columns.includes(column) ? `CAST(${quoteIdentifier(column)} AS VARCHAR)` : 'NULL::VARCHAR') + ` AS ${quoteIdentifier(column)}`)
    .join(', ');
  // JSON values are read as their text: a column mixing 7 and "7" would otherwise become JSON.
  const textSource =
    format === 'jsonl'
      ? `read_json(${quoteLiteral(path)}, format = 'newline_delimited', columns = {${columns.map((c) => `${quoteLiteral(c)}: 'VARCHAR'`).join(', ')}})`
      : source;
  try {
    await session.run(`CREATE OR REPLACE TABLE ${stagedTable} AS SELECT row_number() OVER () AS _row, ${select} FROM ${textSource}`);
  } catch (error) {
    return [{ field: '(file)', problem: `cannot be read as ${format}: ${firstLine(error)}` }];
  }
  return [];
}

/**
 * Text to a store type, NULL when it does not parse. `timezone('UTC', ...)` turns any ISO offset
 * into a UTC TIMESTAMP, the store's one time type.
 */
export function typedCast(text: string, type: string): string {
  return type === 'TIMESTAMP' ? `timezone('UTC', TRY_CAST(${text} AS TIMESTAMPTZ))` : `TRY_CAST(${text} AS ${type})`;
}

function typedExpression(column: string, type: string): string {
  return typedCast(quoteIdentifier(column), type);
}

/**
 * Checks every staged cell; reports per column how many are bad and the first bad row. With a
 * bound, event times past it are bad too (rows.ts `rowSchema` applies the same rule to pushes).
 */
export async function validateStaged(
  session: DuckDbSession,
  view: FeatureView,
  entity: Entity,
  bound?: EventTimeBound,
  source: StagedSource = {},
): Promise<{ rows: number; problems: ErrorDetail[] }> {
  const where = (row: unknown) => positionOf(Number(row), source.format);
  const checks = viewColumns(view, entity).map(({ name: column, duckType: type, required, dimension }) => {
    const ref = quoteIdentifier(column);
    const typed = typedExpression(column, type);
    const bad = [
      `(${ref} IS NOT NULL AND ${typed} IS NULL)`,
      ...(required ? [`${ref} IS NULL`] : []),
      ...(dimension ? [`(${typed} IS NOT NULL AND len(${typed}) <> ${dimension})`] : []),
      ...(type === 'DOUBLE' ? [`(${typed} IS NOT NULL AND NOT isfinite(${typed}))`] : []),
      // Text without a zone would be read in the session's zone: refused, as a push refuses it.
      // (A parquet timestamp column is typed: a naive one is taken as UTC, as pandas writes them.)
      ...(type === 'TIMESTAMP' && source.format !== undefined && source.format !== 'parquet'
        ? [`(${ref} IS NOT NULL AND NOT regexp_matches(trim(${ref}), '(?i)(z|[+-][0-9]{2}(:?[0-9]{2})?)$'))`]
        : []),
    ].join(' OR ');
    return { column, type, required, dimension, bad };
  });
  const aggregates = checks.map((c, i) => `count(*) FILTER (WHERE ${c.bad}) AS bad_${i}, min(_row) FILTER (WHERE ${c.bad}) AS first_${i}`);
  const future = `${typedExpression(eventTimestampColumn, 'TIMESTAMP')} > $latest::TIMESTAMP`;
  if (bound) aggregates.push(`count(*) FILTER (WHERE ${future}) AS future, min(_row) FILTER (WHERE ${future}) AS first_future`);
  const [summary] = await session.rows(
    `SELECT count(*) AS total, ${aggregates.join(', ')} FROM ${stagedTable}`,
    bound ? { latest: duckTimestamp(new Date(latestEventTime(bound))) } : undefined,
  );
  const problems: ErrorDetail[] = [];
  checks.forEach((check, i) => {
    const bad = Number(summary?.[`bad_${i}`] ?? 0);
    if (!bad) return;
    const expectation = `${check.required ? 'a non-null ' : ''}${check.type === 'TIMESTAMP' ? 'ISO 8601 timestamp with a zone (Z or +hh:mm)' : check.type}${check.dimension ? ` of ${check.dimension} elements` : ''}`;
    problems.push({ field: check.column, problem: `${bad} row(s) are not ${expectation}; the first is ${where(summary?.[`first_${i}`])}` });
  });
  const ahead = Number(summary?.future ?? 0);
  if (bound && ahead) {
    problems.push({ field: eventTimestampColumn, problem: `${ahead} row(s) ${futureProblem(bound, 'are')}; the first is ${where(summary?.first_future)}` });
  }
  return { rows: Number(summary?.total ?? 0), problems };
}

/** What was staged, for checks that depend on it and for naming places the way the file's owner counts. */
export interface StagedSource {
  format?: StagedFormat;
}

/**
 * A staged row as its owner finds it: the line of a text file (a CSV's header is line 1, as
 * DuckDB's own CSV errors count), the row of a parquet file or a pushed batch.
 */
export function positionOf(row: number, format: StagedFormat | undefined): string {
  if (format === 'csv') return `on line ${row + 1}`;
  if (format === 'jsonl') return `on line ${row}`;
  return `row ${row}`;
}

/** The staged rows, typed, in file order: what the offline and online stores receive. */
export function typedStagedQuery(view: FeatureView, entity: Entity): string {
  const columns = viewColumns(view, entity).map(({ name, duckType }) => `${typedExpression(name, duckType)} AS ${quoteIdentifier(name)}`);
  return `SELECT _row, ${columns.join(', ')} FROM ${stagedTable}`;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
