import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBExtractedStatements } from '@duckdb/node-api';

// Native @duckdb/node-api, not @duckdb/duckdb-wasm: wasm in Node has no built-in parquet reader and fetches it at run time, which hangs or fails offline.

/**
 * The one module that knows DuckDB. Every session is a fresh in-memory database with its own
 * scratch folder: blobs are downloaded there through @azure/storage-blob (DuckDB has no buffer
 * API, and reading `az://` or `http://` itself would mean extensions), and SQL can reach that
 * folder and nothing else on the machine.
 */
export interface DuckDbSession {
  /** This session's folder (on disk, under the scratch root); removed when the session ends. */
  readonly scratch: string;
  /** Runs one statement Arbor wrote, values bound to `$name`/`?`; returns the rows it changed. */
  run(sql: string, values?: BoundValues): Promise<number>;
  /** Runs a query Arbor wrote, values bound; returns its rows as plain JS values (BIGINT as bigint). */
  rows(sql: string, values?: BoundValues): Promise<Array<Record<string, unknown>>>;
  /** The first column of a query's result, as plain JS values: cheaper than rows for one column. */
  column(sql: string, values?: BoundValues): Promise<unknown[]>;
  /** Writes a query's result to a parquet file in the scratch folder; returns the row count. */
  copyToParquet(query: string, path: string): Promise<number>;
  /**
   * Asks DuckDB's own parser whether `sql` is exactly one SELECT-type statement, so a lexical
   * check elsewhere cannot be fooled. Returns why not, or undefined. The views it reads must exist.
   */
  selectProblem(sql: string): Promise<string | undefined>;
}

/** Values travel as bound parameters, never pasted into SQL. */
export type BoundValues = Array<string | number | boolean | null> | Record<string, string | number | boolean | null>;

export interface DuckDbOptions {
  /** Interrupts the running statement and fails the session's calls with the signal's reason. */
  signal?: AbortSignal;
}

/** A time as a bound TIMESTAMP value: the session runs in UTC, so ISO without the zone. */
export function duckTimestamp(time: Date): string {
  return time.toISOString().replace('Z', '');
}

/** A TIMESTAMP read back as text (`2026-11-25 10:00:00[.fff]`), which DuckDB gives in UTC. */
export function fromDuckTimestamp(text: unknown): Date {
  return new Date(`${String(text).replace(' ', 'T')}Z`);
}

/** Quotes an identifier that has already been validated; doubling quotes keeps it one name. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** For paths and names Arbor builds or has validated; user values go in as bound parameters. */
export function quoteLiteral(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

const instanceConfig = {
  // Only statically linked extensions (parquet, json, icu) ever run: installing or loading one
  // would mean a download, which fails offline and costs cold starts.
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  // A Function instance shares its cores with other invocations.
  threads: '2',
};

/**
 * DuckDB's own defaults suit a machine it has to itself (memory_limit 80% of RAM, spills up to
 * 90% of the disk); a Function instance shares both, so every session gets explicit caps.
 */
export interface DuckDbLimits {
  memoryLimit: string;
  maxTempDirectorySize: string;
  /** A disk folder for staged blobs and spills: a RAM-backed one would spill memory into memory. */
  scratchRoot: string;
}

let limits: DuckDbLimits = { memoryLimit: '2GB', maxTempDirectorySize: '8GB', scratchRoot: tmpdir() };

/** Set once per process from settings (createServices); sessions opened after use them. */
export function setDuckDbLimits(next: Partial<DuckDbLimits>): void {
  limits = { ...limits, ...Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined)) };
}

export function duckDbLimits(): Readonly<DuckDbLimits> {
  return limits;
}

/** Runs work against a fresh in-memory DuckDB and its scratch folder; closes and removes both after. */
export async function withDuckDb<T>(work: (session: DuckDbSession) => Promise<T>, options: DuckDbOptions = {}): Promise<T> {
  const { signal } = options;
  signal?.throwIfAborted();
  const { memoryLimit, maxTempDirectorySize, scratchRoot } = limits;
  await mkdir(scratchRoot, { recursive: true });
  const scratch = await mkdtemp(join(scratchRoot, 'arbor-duckdb-'));
  let instance: DuckDBInstance | undefined;
  let connection: DuckDBConnection | undefined;
  const interrupt = () => connection?.interrupt();
  try {
    instance = await DuckDBInstance.create(':memory:', {
      ...instanceConfig,
      memory_limit: memoryLimit,
      max_temp_directory_size: maxTempDirectorySize,
      temp_directory: join(scratch, 'spill'),
    });
    const open = await instance.connect();
    connection = open;
    // From here on, SQL may touch the scratch folder only, and nobody may change that.
    // Timestamps without a zone mean UTC, whatever the machine's zone.
    await open.run("SET TimeZone = 'UTC'");
    await open.run(`SET allowed_directories = [${quoteLiteral(`${scratch}/`)}]`);
    await open.run('SET enable_external_access = false');
    await open.run('SET lock_configuration = true');
    signal?.addEventListener('abort', interrupt, { once: true });

    /** An interrupted statement fails with DuckDB's "Interrupted!"; callers want the reason. */
    const guarded = async <R>(call: () => Promise<R>): Promise<R> => {
      signal?.throwIfAborted();
      try {
        return await call();
      } catch (error) {
        signal?.throwIfAborted();
        throw withoutScratchPaths(error, scratch);
      }
    };

    return await work({
      scratch,
      run: (sql, values) => guarded(async () => (await open.run(sql, values)).rowsChanged),
      rows: (sql, values) => guarded(async () => (await open.runAndReadAll(sql, values)).getRowObjectsJS() as Array<Record<string, unknown>>),
      column: (sql, values) => guarded(async () => ((await open.runAndReadAll(sql, values)).getColumnsJS()[0] ?? []) as unknown[]),
      // The query goes on lines of its own, so a trailing `--` comment cannot swallow the `)`.
      copyToParquet: (query, path) =>
        guarded(async () => (await open.run(`COPY (\n${query}\n) TO ${quoteLiteral(path)} (FORMAT parquet, COMPRESSION zstd)`)).rowsChanged),
      selectProblem: (sql) =>
        guarded(async () => {
          let extracted: DuckDBExtractedStatements;
          try {
            extracted = await open.extractStatements(sql);
          } catch (error) {
            return `does not parse: ${firstLine(error)}`;
          }
          if (extracted.count !== 1) return `must be a single statement, not ${extracted.count}`;
          const prepared = await extracted.prepare(0);
          try {
            const type = prepared.statementType;
            return type === StatementType.SELECT
              ? undefined
              : `must be a single SELECT (or WITH ... SELECT) query, not ${StatementType[type] ?? type}`;
          } finally {
            prepared.destroySync();
          }
        }),
    });
  } finally {
    signal?.removeEventListener('abort', interrupt);
    connection?.closeSync();
    instance?.closeSync();
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * DuckDB names files by their full path; run errors are shown to pipeline authors, who should
 * see `<scratch>/input-0.csv`, not the host's folders.
 */
function withoutScratchPaths(error: unknown, scratch: string): unknown {
  if (!(error instanceof Error) || !error.message.includes(scratch)) return error;
  const cleaned = new Error(error.message.replaceAll(scratch, '<scratch>'));
  cleaned.name = error.name;
  return cleaned;
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Failed to extract statements: /, '').split('\n')[0] ?? message;
}
