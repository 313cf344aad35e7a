import { ConflictError } from '../platform/errors.js';
import { quoteIdentifier, quoteLiteral } from '../platform/duckdb.js';
import { viewColumns, type Entity, type FeatureView } from './definitions.js';
import type { Partition } from './ports.js';

/**
 * The offline store's rules over its port: partitions are by UTC event date, a query never
 * silently skips archived data, and an empty view still has its typed columns.
 */
export function dateOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** A query must not silently skip data: archived partitions stop it with a 409 naming each. */
export function refuseArchived(partitions: readonly Partition[]): void {
  const archived = partitions.filter((p) => p.archived).map((p) => p.location);
  if (!archived.length) return;
  throw new ConflictError(
    `${archived.length} offline partition(s) needed by this query are in the archive tier; rehydrate them (set the tier to Cool) and retry`,
    archived.map((location) => ({ field: location, problem: 'is in the archive tier: rehydrate it' })),
  );
}

/** `read_parquet` over fetched partitions, or an empty relation with the view's columns. */
export function partsRelation(paths: readonly string[], emptyColumns: string): string {
  if (!paths.length) return `(SELECT ${emptyColumns} WHERE false)`;
  return `read_parquet([${paths.map(quoteLiteral).join(', ')}], union_by_name = true)`;
}

/** Typed NULL columns for a view, so an empty view still joins. */
export function emptyViewColumns(view: FeatureView, entity: Entity): string {
  return [...viewColumns(view, entity).map((c) => `NULL::${c.duckType} AS ${quoteIdentifier(c.name)}`), 'NULL::TIMESTAMP AS _written_at'].join(', ');
}
