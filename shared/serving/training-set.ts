import { join } from 'node:path';
import { ValidationError, type ErrorDetail } from '../platform/errors.js';
import { quoteIdentifier, quoteLiteral, withDuckDb } from '../platform/duckdb.js';
import type { Services } from '../platform/services.js';
import { downloadBlob, type BlobRef } from '../storage/blob-files.js';
import type { Design } from './logistic.js';
import { mulberry32 } from '../platform/mulberry32.js';

/** Rows and cells (rows x feature columns) a training set may hold: the design matrix is kept in memory as float64. */
export const maxTrainingRows = 1_000_000;
export const maxTrainingCells = 20_000_000;

export interface LoadedTrainingSet {
  x: Design;
  y: Float64Array;
  /** Rows read from the file. */
  rows: number;
  /** Rows left out because the label or a feature is null (a training set leaves a feature null when no row was fresh enough). */
  droppedNull: number;
}

/**
 * Reads the label and feature columns of a training-set parquet blob (as the feature store's
 * point-in-time join writes it: the caller's columns, then one `view:feature` column per
 * feature) into a dense matrix, in file order. Every column must exist and be numeric or
 * boolean; labels must be 0 or 1 (or false/true). All problems are named at once.
 */
export async function loadTrainingSet(services: Services, blob: BlobRef, label: string, features: readonly string[], options: { signal?: AbortSignal } = {}): Promise<LoadedTrainingSet> {
  return withDuckDb(
    async (db) => {
      const path = join(db.scratch, 'training-set.parquet');
      await downloadBlob(services, blob, path).catch((error: unknown) => {
        throw new ValidationError([{ field: 'trainingSet', problem: `cannot be read: ${error instanceof Error ? error.message : String(error)}` }]);
      });
      const source = `read_parquet(${quoteLiteral(path)})`;
      const described = await db.rows(`DESCRIBE SELECT * FROM ${source}`).catch((error: unknown) => {
        throw new ValidationError([{ field: 'trainingSet', problem: `is not a parquet file: ${error instanceof Error ? error.message : String(error)}` }]);
      });
      const types = new Map(described.map((row) => [String(row.column_name), String(row.column_type)]));
      const numeric = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL.*)$/;
      const problems: ErrorDetail[] = [];
      const check = (field: string, column: string) => {
        const type = types.get(column);
        if (type === undefined) problems.push({ field, problem: `"${column}" is not a column of the training set (it has ${[...types.keys()].slice(0, 20).join(', ')})` });
        else if (!numeric.test(type)) problems.push({ field, problem: `"${column}" is ${type}; only numeric and boolean columns train a model` });
      };
      check('label', label);
      features.forEach((feature, i) => check(`features[${i}]`, feature));
      if (problems.length) throw new ValidationError(problems);

      const all = [label, ...features].map(quoteIdentifier);
      const [counts] = await db.rows(
        `SELECT count(*) AS n, count(*) FILTER (WHERE ${all.map((c) => `${c} IS NULL`).join(' OR ')}) AS dropped,
                count(*) FILTER (WHERE ${all[0]} IS NOT NULL AND CAST(${all[0]} AS DOUBLE) NOT IN (0, 1)) AS bad_labels
         FROM ${source}`,
      );
      const rows = Number(counts?.n ?? 0);
      const droppedNull = Number(counts?.dropped ?? 0);
      if (Number(counts?.bad_labels ?? 0) > 0) problems.push({ field: 'label', problem: `${String(counts?.bad_labels)} row(s) have a label other than 0 or 1` });
      if (rows > maxTrainingRows) problems.push({ field: 'trainingSet', problem: `has ${rows} rows; at most ${maxTrainingRows} train in one step` });
      if ((rows - droppedNull) * features.length > maxTrainingCells) problems.push({ field: 'features', problem: `${rows - droppedNull} rows x ${features.length} features is over ${maxTrainingCells} values` });
      if (rows - droppedNull < 2) problems.push({ field: 'trainingSet', problem: `has ${rows - droppedNull} complete row(s) (${droppedNull} with a null label or feature); at least 2 are needed` });
      if (problems.length) throw new ValidationError(problems);

      // One table in file order (a plain scan keeps insertion order), then one column at a time.
      await db.run(`CREATE TABLE t AS SELECT ${all.map((c) => `CAST(${c} AS DOUBLE) AS ${c}`).join(', ')} FROM ${source} WHERE ${all.map((c) => `${c} IS NOT NULL`).join(' AND ')}`);
      const y = Float64Array.from((await db.column(`SELECT ${all[0]} FROM t`)).map(Number));
      const n = y.length;
      const d = features.length;
      const values = new Float64Array(n * d);
      for (let j = 0; j < d; j++) {
        const column = await db.column(`SELECT ${all[j + 1]} FROM t`);
        for (let i = 0; i < n; i++) values[i * d + j] = Number(column[i]);
      }
      return { x: { rows: n, columns: d, values }, y, rows, droppedNull };
    },
    options.signal ? { signal: options.signal } : {},
  );
}

/** Rows i of `from` as a new design matrix. */
export function takeRows(from: Design, y: Float64Array, indices: readonly number[]): { x: Design; y: Float64Array } {
  const d = from.columns;
  const values = new Float64Array(indices.length * d);
  const labels = new Float64Array(indices.length);
  indices.forEach((row, i) => {
    values.set(from.values.subarray(row * d, (row + 1) * d), i * d);
    labels[i] = y[row] as number;
  });
  return { x: { rows: indices.length, columns: d, values }, y: labels };
}

/**
 * A held-out split that depends only on the seed and the row count: a Fisher-Yates shuffle
 * driven by mulberry32, the last `round(n * testFraction)` rows (at least one, while one row
 * stays to train on) held out.
 */
export function splitRows(n: number, testFraction: number, seed: number): { train: number[]; test: number[] } {
  const indices = Array.from({ length: n }, (_, i) => i);
  const next = mulberry32(seed);
  const random = () => next() / 4294967296;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  const testCount = testFraction <= 0 ? 0 : Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
  return { train: indices.slice(0, n - testCount).sort((a, b) => a - b), test: indices.slice(n - testCount).sort((a, b) => a - b) };
}
