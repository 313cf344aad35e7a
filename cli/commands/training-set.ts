import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ArborClient } from '../../client/arbor-client.js';
import { clientFor, CliError, expectStatus, printJson, type GlobalOptions } from '../context.js';
import { say } from '../output.js';
import { parseFeatureList } from './features.js';

/** SQL text of a path, quoted as a string literal. */
const literal = (path: string) => `'${path.replace(/'/g, "''")}'`;

/**
 * DuckDB reads and writes the files (CSV with its own reader, parquet with its writer): no
 * hand-written CSV parser, and the same library the platform's own tables go through. Loaded
 * only by this command, so the others start fast.
 */
async function withDuckDb<T>(work: (rows: (sql: string) => Promise<Array<Record<string, unknown>>>) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return await work(async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>);
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

/** Entity rows from a .json file (an array of objects, or `{ "rows": [...] }`) or a .csv file with a header. */
export async function readEntityRows(path: string): Promise<Array<Record<string, unknown>>> {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new CliError(`${path}: ${(error as Error).message}`);
    }
    const rows = Array.isArray(parsed) ? parsed : (parsed as { rows?: unknown }).rows;
    if (!Array.isArray(rows) || rows.some((row) => !row || typeof row !== 'object' || Array.isArray(row))) throw new CliError(`${path}: must be an array of objects, or {"rows": [...]}`);
    return rows as Array<Record<string, unknown>>;
  }
  if (extension !== '.csv') throw new CliError(`--entities takes a .csv or .json file, not "${path}"`, 2);
  // Read as text, then whole numbers as numbers (int64 join keys); timestamps stay ISO text for the API.
  const rows = await withDuckDb((sql) => sql(`SELECT * FROM read_csv(${literal(resolve(path))}, header = true, all_varchar = true)`));
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'string' && /^-?\d{1,15}$/.test(value) ? Number(value) : value])));
}

/** DuckDB's type for each registry type, as the offline store keeps them (shared/features/definitions.ts duckDbType). */
const duckTypes: Record<string, string> = { int64: 'BIGINT', float64: 'DOUBLE', string: 'VARCHAR', bool: 'BOOLEAN', float_vector: 'FLOAT[]' };
const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Writes rows with the registry's column types: JSON carries 13.0 as 13, so a float64 feature
 * whose values happen to be whole would otherwise be written as an integer column.
 */
export async function writeRows(path: string, rows: Array<Record<string, unknown>>, types: ReadonlyMap<string, string> = new Map()): Promise<void> {
  const extension = extname(path).toLowerCase();
  const format = extension === '.parquet' ? 'parquet' : extension === '.csv' ? 'csv' : undefined;
  if (!format) throw new CliError(`--out is a .csv or .parquet file, not "${path}"`, 2);
  const folder = await mkdtemp(join(tmpdir(), 'arbor-training-set-'));
  try {
    const staged = join(folder, 'rows.ndjson');
    await writeFile(staged, rows.map((row) => JSON.stringify(row)).join('\n'));
    const columns = Object.keys(rows[0] ?? {}).map((name) => {
      const type = types.get(name);
      return type ? `CAST(${quoted(name)} AS ${type}) AS ${quoted(name)}` : quoted(name);
    });
    const select = `SELECT ${columns.length ? columns.join(', ') : '*'} FROM read_json_auto(${literal(staged)}, format = 'newline_delimited')`;
    await withDuckDb((sql) => sql(`COPY (${select}) TO ${literal(resolve(path))} (FORMAT ${format}${format === 'csv' ? ', HEADER true' : ''})`));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

interface Registry {
  entities: Array<{ name: string; joinKeys: Array<{ name: string; type: string }> }>;
  featureViews: Array<{ name: string; entity: string; features: Array<{ name: string; type: string }> }>;
  featureServices: Array<{ name: string; features: string[] }>;
}

/** The column types of a training set: the event time, the join keys and each feature (`view:feature`), from the registry. */
async function columnTypes(client: ArborClient, selection: { features: string[] } | { service: string }): Promise<Map<string, string>> {
  const registry = expectStatus<Registry>('reading the feature registry', await client.call('get-feature-registry'), 200);
  const refs = 'features' in selection ? selection.features : (registry.featureServices.find((s) => s.name === selection.service)?.features ?? []);
  const types = new Map<string, string>([['event_timestamp', 'TIMESTAMP']]);
  for (const ref of refs) {
    const [viewName, featureName] = ref.split(':');
    const view = registry.featureViews.find((v) => v.name === viewName);
    const type = view?.features.find((f) => f.name === featureName)?.type;
    if (type && duckTypes[type]) types.set(ref, duckTypes[type]);
    for (const key of registry.entities.find((e) => e.name === view?.entity)?.joinKeys ?? []) if (duckTypes[key.type]) types.set(key.name, duckTypes[key.type] as string);
  }
  return types;
}

export function registerTrainingSet(program: Command): void {
  program
    .command('training-set')
    .description('Builds a point-in-time training set for entity rows (join keys and event_timestamp) and writes it as CSV or parquet')
    .option('--features <list>', 'view:feature[,view:feature...]', parseFeatureList)
    .option('--service <name>', 'a feature service instead of --features')
    .requiredOption('--entities <file>', 'entity rows: a .csv with a header, or a .json array')
    .requiredOption('--out <file>', 'where to write: .csv or .parquet')
    .action(async (options: { features?: string[]; service?: string; entities: string; out: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (!options.features === !options.service) throw new CliError('give exactly one of --features or --service', 2);
      if (!/\.(csv|parquet)$/i.test(options.out)) throw new CliError(`--out is a .csv or .parquet file, not "${options.out}"`, 2);
      const entityRows = await readEntityRows(options.entities);
      if (!entityRows.length) throw new CliError(`${options.entities} has no rows`);
      const selection = options.features ? { features: options.features } : { service: options.service as string };
      // Inline: the answer carries the rows. A set too large for that is a job writing to blob storage (POST /api/features/historical with output "blob").
      const client = clientFor(globals);
      const answer = await client.call('get-historical-features', { query: { async: 'false' }, body: { ...selection, entityRows, output: 'inline' } });
      const result = expectStatus<{ rowCount: number; rows: Array<Record<string, unknown>> }>('building the training set', answer, 200);
      await writeRows(options.out, result.rows, await columnTypes(client, selection));
      if (globals.json) printJson({ out: options.out, rowCount: result.rowCount, columns: Object.keys(result.rows[0] ?? {}) });
      else say(`wrote ${result.rowCount} row(s) to ${options.out}`);
    });
}
