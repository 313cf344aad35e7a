import { basename, join } from 'node:path';
import { RestError } from '@azure/storage-blob';
import { z } from 'zod';
import { blobName, blobPrefix, dataContainerName } from '../../storage/blob-names.js';
import { callDependency } from '../../storage/dependency.js';
import { quoteIdentifier, quoteLiteral, withDuckDb } from '../../platform/duckdb.js';
import { downloadBlob, uploadParquetFile } from '../../storage/blob-files.js';
import { defineStepType, stagingBlob, type StepContext } from '../step-type.js';


/** Enough for a large daily drop; beyond it the prefix is probably wrong, and the scratch folder would fill. */
const maxBlobs = 10_000;
const parallelDownloads = 4;

const simpleTypes = [
  'BOOLEAN', 'TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT',
  'FLOAT', 'DOUBLE', 'VARCHAR', 'DATE', 'TIME', 'TIMESTAMP', 'TIMESTAMPTZ', 'INTERVAL', 'UUID', 'BLOB', 'JSON',
] as const;

/**
 * A DuckDB column type from a closed list (plus DECIMAL(p,s)), so a type can be pasted into SQL
 * without ever carrying anything else.
 */
export const duckdbType = z
  .string()
  .transform((type) => type.trim().toUpperCase().replace(/\s+/g, ''))
  .refine((type) => (simpleTypes as readonly string[]).includes(type) || decimalType(type), {
    message: `must be one of ${simpleTypes.join(', ')} or DECIMAL(p,s)`,
  });

function decimalType(type: string): boolean {
  const match = /^DECIMAL\((\d{1,2}),(\d{1,2})\)$/.exec(type);
  if (!match) return false;
  const [precision, scale] = [Number(match[1]), Number(match[2])];
  return precision >= 1 && precision <= 38 && scale <= precision;
}

const columnName = /^[^\p{Cc}]{1,255}$/u;

const formats = ['csv', 'jsonl', 'parquet'] as const;
type Format = (typeof formats)[number];

/** Reads CSV, JSONL or parquet blobs into one staged parquet that later steps reference. */
export const blobExtractStep = defineStepType({
  name: 'blob.extract',
  description:
    'Reads the CSV/JSONL/parquet blobs under a prefix (or those listed) into one staged parquet blob. ' +
    '`columns` names the output columns, in order, with their types (CSV and JSONL are parsed as those types).',
  input: z
    .strictObject({
      container: dataContainerName,
      prefix: blobPrefix.optional(),
      blobs: z.array(blobName).min(1).max(maxBlobs).optional(),
      format: z.enum(formats),
      columns: z
        .record(z.string(), duckdbType)
        .superRefine((columns, ctx) => {
          const names = Object.keys(columns);
          if (!names.length) ctx.addIssue({ code: 'custom', message: 'needs at least one column' });
          // Checked here rather than as the record's key schema, whose error says only "Invalid key".
          for (const name of names) {
            if (!columnName.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: 'must be a column name of 1-255 characters, none of them control characters' });
          }
        })
        .optional(),
    })
    .refine((input) => !(input.prefix !== undefined && input.blobs !== undefined), { message: 'give either prefix or blobs, not both' }),
  run: async (input, context) => {
    const names = input.blobs ?? (await listBlobs(context, input.container, input.prefix ?? ''));
    const staged = stagingBlob(context.runId, context.stepId, 'data.parquet');
    return withDuckDb(
      async (db) => {
        const files = names.map((_, index) => join(db.scratch, `input-${index}.${input.format}`));
        await forEachLimited(names, parallelDownloads, async (name, index) => {
          context.signal.throwIfAborted();
          await downloadBlob(context.services, { container: input.container, name }, files[index]!);
          context.lineage.read({ container: input.container, name });
        });
        const output = join(db.scratch, 'data.parquet');
        const rows = await db.copyToParquet(selectFrom(input.format, files, input.columns), output).catch((error: unknown) => {
          throw readError(error, files, names.map((name) => `${input.container}/${name}`));
        });
        const bytes = await uploadParquetFile(context.services, output, staged);
        context.lineage.wrote(staged);
        return { container: staged.container, blob: staged.name, rows, bytes };
      },
      { signal: context.signal },
    );
  },
});

/**
 * DuckDB's read error as its owner can act on it: the blob instead of the scratch copy, and
 * without the CSV sniffer's settings dump. Lines are DuckDB's (the header is line 1), as
 * feature ingestion counts them.
 */
export function readError(error: unknown, files: readonly string[], blobs: readonly string[]): Error {
  let message = error instanceof Error ? error.message : String(error);
  // The copy's path may already read `<scratch>/input-0.csv` (duckdb.ts hides the host's folders).
  const blobOf = (path: string) => blobs[files.findIndex((file) => basename(file) === basename(path))];
  const file = /^\s*file = (.+)$/m.exec(message)?.[1]?.trim();
  const cut = message.indexOf('\n\n');
  if (cut > 0) message = message.slice(0, cut);
  message = message.replace(/\S*input-\d+\.(?:csv|jsonl|parquet)\b/g, (path) => blobOf(path) ?? path);
  const blob = file === undefined ? undefined : blobOf(file);
  return new Error(blob && !message.includes(blob) ? `${blob}: ${message}` : message);
}

async function listBlobs(context: StepContext, container: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  await callDependency('blob', async () => {
    try {
      for await (const blob of context.services.blob.getContainerClient(container).listBlobsFlat({ prefix })) {
        if (names.length === maxBlobs) throw new Error(`more than ${maxBlobs} blobs in container "${container}" under prefix "${prefix}": narrow the prefix`);
        names.push(blob.name);
      }
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) throw new Error(`container "${container}" does not exist (looking for blobs under prefix "${prefix}")`);
      throw error;
    }
  });
  if (!names.length) throw new Error(`no blobs in container "${container}" under prefix "${prefix}"`);
  return names;
}

/** The one query that reads every downloaded file, typed as `columns` says where it says. */
function selectFrom(format: Format, files: string[], columns: Record<string, string> | undefined): string {
  const list = `[${files.map(quoteLiteral).join(', ')}]`;
  // Column names and types were validated; names still go in quoted, as identifiers or literals.
  const struct = columns && `{${Object.entries(columns).map(([name, type]) => `${quoteLiteral(name)}: ${quoteLiteral(type)}`).join(', ')}}`;
  const source =
    format === 'csv'
      ? `read_csv(${list}, header = true, auto_detect = true, union_by_name = true${struct ? `, types = ${struct}` : ''})`
      : format === 'jsonl'
        ? `read_json(${list}, format = 'newline_delimited', union_by_name = true${struct ? `, columns = ${struct}` : ''})`
        : `read_parquet(${list}, union_by_name = true)`;
  const projection = columns
    ? Object.entries(columns).map(([name, type]) => `CAST(${quoteIdentifier(name)} AS ${type}) AS ${quoteIdentifier(name)}`).join(', ')
    : '*';
  return `SELECT ${projection} FROM ${source}`;
}

/** Runs `work` over the items, `limit` at a time; after a failure no new item starts, so nothing writes into a removed folder. */
async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        await work(items[index]!, index);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const failure = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failure) throw failure.reason;
}
