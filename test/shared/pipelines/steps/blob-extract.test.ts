import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withDuckDb } from '../../../../shared/platform/duckdb.js';
import type { StepContext } from '../../../../shared/pipelines/step-type.js';
import { blobExtractStep } from '../../../../shared/pipelines/steps/blob-extract.js';
import { createServices, type Services } from '../../../../shared/platform/services.js';
import { parseSettings } from '../../../../shared/platform/settings.js';
import { recordingStepContext } from '../../../support/step-context.js';

const suffix = randomUUID().slice(0, 8);
const runId = `run-${suffix}`;
const raw = `extract-${suffix}`;
let services: Services;

const stepContext = (stepId: string) => recordingStepContext(services, runId, stepId);

async function upload(name: string, content: string | Buffer): Promise<void> {
  const data = typeof content === 'string' ? Buffer.from(content) : content;
  await services.blob.getContainerClient(raw).getBlockBlobClient(name).uploadData(data);
}

/** Reads a staged parquet back: its rows (ordered by the first column) and its column types. */
async function staged(output: Record<string, unknown>): Promise<{ rows: Array<Record<string, unknown>>; types: Record<string, unknown> }> {
  const content = await services.blob.getContainerClient(String(output.container)).getBlobClient(String(output.blob)).downloadToBuffer();
  return withDuckDb(async (db) => {
    const path = join(db.scratch, 'check.parquet');
    await writeFile(path, content);
    const described = await db.rows(`DESCRIBE SELECT * FROM read_parquet('${path}')`);
    return {
      rows: await db.rows(`SELECT * FROM read_parquet('${path}') ORDER BY 1`),
      types: Object.fromEntries(described.map((column) => [column.column_name, column.column_type])),
    };
  });
}

async function exists(container: string, name: string): Promise<boolean> {
  return services.blob.getContainerClient(container).getBlobClient(name).exists();
}

beforeAll(async () => {
  const env = inject('arborEnv');
  services = createServices(parseSettings({ ...env, ARBOR_DATA_CONTAINERS: `pipelines,${raw},missing-${suffix}`, COSMOS_DATABASE: `steps-extract-${suffix}`, REDIS_KEY_PREFIX: `steps-extract-${suffix}:` }));
  await services.blob.getContainerClient(raw).create();
  await upload('events/a.jsonl', '{"user":"u1","n":1}\n{"user":"u2","n":2}\n');
  // A later file adds a key: union_by_name keeps both files' columns.
  await upload('events/b.jsonl', '{"user":"u3","n":3,"country":"NO"}\n');
  await upload('zips/a.csv', 'id,zip,amount\n1,01234,10.50\n2,98765,3\n');
  await upload('quoted/a.csv', 'id,"unit\'s ""price"""\n1,2.5\n');
  await upload('bad/a.csv', 'id,amount\n1,ten\n');
  // Parquet files written by DuckDB itself, one with an extra column.
  const parquet = await withDuckDb(async (db) => {
    await db.copyToParquet("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS t(id, label)", join(db.scratch, 'p1.parquet'));
    await db.copyToParquet("SELECT 3 AS id, 'c' AS label, 0.5 AS score", join(db.scratch, 'p2.parquet'));
    return [await readFile(join(db.scratch, 'p1.parquet')), await readFile(join(db.scratch, 'p2.parquet'))];
  });
  await upload('parquet/part-1.parquet', parquet[0]!);
  await upload('parquet/part-2.parquet', parquet[1]!);
  await upload('cold/a.csv', 'id\n1\n');
  await services.blob.getContainerClient(raw).getBlobClient('cold/a.csv').setAccessTier('Archive');
});

afterAll(async () => {
  await services.blob.getContainerClient(raw).deleteIfExists();
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('blob.extract', () => {
  it('reads newline-delimited JSON under a prefix into one parquet, recording lineage', async () => {
    const { context, lineage } = stepContext('jsonl');
    const output = await blobExtractStep.run(blobExtractStep.input.parse({ container: raw, prefix: 'events/', format: 'jsonl' }), context);
    expect(output).toMatchObject({ container: 'pipelines', blob: `runs/${runId}/jsonl/data.parquet`, rows: 3 });
    expect((await staged(output)).rows).toEqual([
      { user: 'u1', n: 1n, country: null },
      { user: 'u2', n: 2n, country: null },
      { user: 'u3', n: 3n, country: 'NO' },
    ]);
    expect(lineage.read.map((blob) => blob.name).sort()).toEqual(['events/a.jsonl', 'events/b.jsonl']);
    expect(lineage.wrote).toEqual([{ container: 'pipelines', name: `runs/${runId}/jsonl/data.parquet` }]);
  });

  it('reads only the JSON keys asked for, as the types asked for', async () => {
    const { context } = stepContext('jsonl-typed');
    const input = blobExtractStep.input.parse({ container: raw, prefix: 'events/', format: 'jsonl', columns: { user: 'VARCHAR', n: 'DOUBLE', country: 'VARCHAR' } });
    const { rows, types } = await staged(await blobExtractStep.run(input, context));
    expect(types).toEqual({ user: 'VARCHAR', n: 'DOUBLE', country: 'VARCHAR' });
    expect(rows.map((row) => [row.user, row.n, row.country])).toEqual([
      ['u1', 1, null],
      ['u2', 2, null],
      ['u3', 3, 'NO'],
    ]);
  });

  it('casts parquet columns to the types asked for, dropping the rest', async () => {
    const { context } = stepContext('parquet-typed');
    const input = blobExtractStep.input.parse({ container: raw, prefix: 'parquet/', format: 'parquet', columns: { label: 'VARCHAR', id: 'BIGINT' } });
    const { rows, types } = await staged(await blobExtractStep.run(input, context));
    expect(types).toEqual({ label: 'VARCHAR', id: 'BIGINT' });
    expect(rows).toEqual([
      { label: 'a', id: 1n },
      { label: 'b', id: 2n },
      { label: 'c', id: 3n },
    ]);
  });

  it('reads the parquet blobs it is given by name', async () => {
    const { context, lineage } = stepContext('parquet');
    const output = await blobExtractStep.run(
      blobExtractStep.input.parse({ container: raw, blobs: ['parquet/part-1.parquet', 'parquet/part-2.parquet'], format: 'parquet' }),
      context,
    );
    expect(output.rows).toBe(3);
    const { rows } = await staged(output);
    expect(rows.map((row) => [row.id, row.label, row.score === null ? null : Number(row.score)])).toEqual([
      [1, 'a', null],
      [2, 'b', null],
      [3, 'c', 0.5],
    ]);
    expect(lineage.read).toHaveLength(2);
  });

  it('gives the output exactly the columns asked for, parsing CSV as those types', async () => {
    const { context } = stepContext('typed');
    const input = blobExtractStep.input.parse({ container: raw, prefix: 'zips/', format: 'csv', columns: { zip: 'varchar', amount: 'decimal(10, 2)' } });
    expect(input.columns).toEqual({ zip: 'VARCHAR', amount: 'DECIMAL(10,2)' });
    const output = await blobExtractStep.run(input, context);
    const { rows, types } = await staged(output);
    expect(types).toEqual({ zip: 'VARCHAR', amount: 'DECIMAL(10,2)' });
    expect(rows.map((row) => [row.zip, Number(row.amount)])).toEqual([
      ['01234', 10.5],
      ['98765', 3],
    ]);
  });

  it('quotes column names, whatever they contain', async () => {
    const { context } = stepContext('quoted');
    const column = 'unit\'s "price"';
    const input = blobExtractStep.input.parse({ container: raw, prefix: 'quoted/', format: 'csv', columns: { [column]: 'DOUBLE' } });
    const { rows } = await staged(await blobExtractStep.run(input, context));
    expect(rows).toEqual([{ [column]: 2.5 }]);
  });

  it('fails on values that are not of the declared type', async () => {
    const { context, lineage } = stepContext('bad-values');
    const input = blobExtractStep.input.parse({ container: raw, prefix: 'bad/', format: 'csv', columns: { id: 'INTEGER', amount: 'DOUBLE' } });
    const failure = await blobExtractStep.run(input, context).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    // The blob and the line a person opens it at (the header is line 1), not the scratch copy or the sniffer's settings.
    expect(failure?.message).toMatch(new RegExp(`^${raw}/bad/a\\.csv: Conversion Error: CSV Error on Line: 2\\nOriginal Line: 1,ten\\n`));
    expect(failure?.message).not.toMatch(/input-\d|scratch|delimiter|sniffer/i);
    expect(lineage.wrote).toEqual([]);
    expect(await exists('pipelines', `runs/${runId}/bad-values/data.parquet`)).toBe(false);
  });

  it('fails, naming the container and prefix, when no blob matches', async () => {
    const { context, lineage } = stepContext('none');
    await expect(blobExtractStep.run(blobExtractStep.input.parse({ container: raw, prefix: 'nothing/', format: 'csv' }), context)).rejects.toThrow(
      `no blobs in container "${raw}" under prefix "nothing/"`,
    );
    await expect(blobExtractStep.run(blobExtractStep.input.parse({ container: `missing-${suffix}`, prefix: 'x/', format: 'csv' }), context)).rejects.toThrow(
      `container "missing-${suffix}" does not exist`,
    );
    expect(lineage).toEqual({ read: [], wrote: [] });
    expect(await exists('pipelines', `runs/${runId}/none/data.parquet`)).toBe(false);
  });

  it('fails, naming the blob, when a listed blob is missing or archived', async () => {
    const { context } = stepContext('missing');
    await expect(
      blobExtractStep.run(blobExtractStep.input.parse({ container: raw, blobs: ['zips/a.csv', 'zips/gone.csv'], format: 'csv' }), context),
    ).rejects.toThrow(`${raw}/zips/gone.csv does not exist`);
    await expect(blobExtractStep.run(blobExtractStep.input.parse({ container: raw, prefix: 'cold/', format: 'csv' }), context)).rejects.toThrow(
      /archive tier: rehydrate/,
    );
    expect(await exists('pipelines', `runs/${runId}/missing/data.parquet`)).toBe(false);
  });

  it('rejects a bad `with`', () => {
    const problems = (value: unknown) => {
      const parsed = blobExtractStep.input.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(problems({ container: raw, prefix: 'x/', format: 'xlsx' })).toEqual([expect.stringMatching(/^format: /)]);
    expect(problems({ container: raw, format: 'csv', prefix: 'x/', blobs: ['a'] })).toEqual([': give either prefix or blobs, not both']);
    expect(problems({ container: 'Not_A_Container', format: 'csv' })).toEqual([expect.stringMatching(/^container: is not a valid container name/)]);
    expect(problems({ container: raw, format: 'csv', columns: { id: 'INTEGER); DROP TABLE x; --' } })).toEqual([expect.stringMatching(/^columns\.id: must be one of/)]);
    expect(problems({ container: raw, format: 'csv', columns: { id: 'DECIMAL(40,2)' } })).toHaveLength(1);
    expect(problems({ container: raw, format: 'csv', columns: {} })).toEqual(['columns: needs at least one column']);
    expect(problems({ container: raw, format: 'csv', columns: { 'a\nb': 'INTEGER' } })).toEqual([expect.stringMatching(/^columns\.a\nb: must be a column name/)]);
    expect(problems({ container: raw, format: 'csv', blobs: [] })).toHaveLength(1);
    expect(problems({ container: raw, format: 'csv', sheet: 1 })).toHaveLength(1);
    expect(problems({ container: raw, format: 'csv' })).toEqual([]);
  });
});
