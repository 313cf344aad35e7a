import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withDuckDb } from '../../../../shared/platform/duckdb.js';
import type { StepContext } from '../../../../shared/pipelines/step-type.js';
import { duckdbSqlStep, queryProblem, queryText } from '../../../../shared/pipelines/steps/duckdb-sql.js';
import { ValidationError } from '../../../../shared/platform/errors.js';
import { createServices, type Services } from '../../../../shared/platform/services.js';
import { parseSettings } from '../../../../shared/platform/settings.js';
import { recordingStepContext } from '../../../support/step-context.js';

const suffix = randomUUID().slice(0, 8);
const runId = `run-${suffix}`;
const data = `sql-${suffix}`;
let services: Services;

const stepContext = (stepId: string) => recordingStepContext(services, runId, stepId);

async function parquetRows(container: string, name: string): Promise<Array<Record<string, unknown>>> {
  const content = await services.blob.getContainerClient(container).getBlobClient(name).downloadToBuffer();
  return withDuckDb(async (db) => {
    const path = join(db.scratch, 'check.parquet');
    await writeFile(path, content);
    return db.rows(`SELECT * FROM read_parquet('${path}') ORDER BY 1`);
  });
}

async function exists(container: string, name: string): Promise<boolean> {
  return services.blob.getContainerClient(container).getBlobClient(name).exists();
}

const orders = { container: data, blob: 'orders.parquet' };
const customers = { container: data, blob: 'customers.parquet' };

beforeAll(async () => {
  const env = inject('arborEnv');
  services = createServices(parseSettings({ ...env, ARBOR_DATA_CONTAINERS: `pipelines,${data}`, COSMOS_DATABASE: `steps-sql-${suffix}`, REDIS_KEY_PREFIX: `steps-sql-${suffix}:` }));
  const container = services.blob.getContainerClient(data);
  await container.create();
  const files = await withDuckDb(async (db) => {
    await db.copyToParquet('SELECT * FROM (VALUES (1, 10.0), (1, 5.0), (2, 7.5)) AS t(customer_id, amount)', join(db.scratch, 'o.parquet'));
    await db.copyToParquet("SELECT * FROM (VALUES (1, 'ada'), (2, 'linus')) AS t(id, name)", join(db.scratch, 'c.parquet'));
    return [await readFile(join(db.scratch, 'o.parquet')), await readFile(join(db.scratch, 'c.parquet'))];
  });
  await container.getBlockBlobClient(orders.blob).uploadData(files[0]!);
  await container.getBlockBlobClient(customers.blob).uploadData(files[1]!);
});

afterAll(async () => {
  await services.blob.getContainerClient(data).deleteIfExists();
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('duckdb.sql', () => {
  it('exposes each input as a view, runs the query, stages the result as parquet and records lineage', async () => {
    const { context, lineage } = stepContext('join');
    const output = await duckdbSqlStep.run(
      duckdbSqlStep.input.parse({
        inputs: { orders, Customers: customers },
        sql: `-- spend per customer
          WITH spend AS (SELECT customer_id, sum(amount)::DOUBLE AS total FROM orders GROUP BY ALL)
          SELECT c.name, s.total, ';' AS not_a_separator FROM spend s JOIN Customers c ON c.id = s.customer_id;
          -- the end`,
      }),
      context,
    );
    expect(output).toMatchObject({ container: 'pipelines', blob: `runs/${runId}/join/result.parquet`, rows: 2 });
    expect(await parquetRows('pipelines', String(output.blob))).toEqual([
      { name: 'ada', total: 15, not_a_separator: ';' },
      { name: 'linus', total: 7.5, not_a_separator: ';' },
    ]);
    expect(lineage).toEqual({
      read: [
        { container: data, name: orders.blob },
        { container: data, name: customers.blob },
      ],
      wrote: [{ container: 'pipelines', name: `runs/${runId}/join/result.parquet` }],
    });
  });

  it('writes where output says', async () => {
    const { context } = stepContext('output');
    const output = await duckdbSqlStep.run(
      duckdbSqlStep.input.parse({ inputs: { orders }, sql: 'FROM orders WHERE amount > 6', output: { container: data, blob: 'out/big.parquet' } }),
      context,
    );
    expect(output).toMatchObject({ container: data, blob: 'out/big.parquet', rows: 2 });
    expect(await exists(data, 'out/big.parquet')).toBe(true);
  });

  it('refuses anything but one SELECT at validation, with a clear message', () => {
    const problem = (sql: string) => {
      const parsed = duckdbSqlStep.input.safeParse({ inputs: { t: orders }, sql });
      return parsed.success ? undefined : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    };
    expect(problem("COPY t TO '/tmp/x.csv'")).toBe('sql: must be a single SELECT (or WITH ... SELECT) query, not COPY');
    expect(problem("ATTACH '/tmp/x.db'")).toMatch(/single SELECT .*not ATTACH/);
    expect(problem('INSTALL httpfs')).toMatch(/not INSTALL/);
    expect(problem('load httpfs')).toMatch(/not LOAD/);
    expect(problem('PRAGMA version')).toMatch(/not PRAGMA/);
    expect(problem("SET threads = 8")).toMatch(/not SET/);
    expect(problem('CREATE TABLE x AS SELECT 1')).toMatch(/not CREATE/);
    expect(problem('/* hi */ DESCRIBE t')).toMatch(/not DESCRIBE/);
    expect(problem('SELECT 1; DROP TABLE t')).toBe('sql: must be a single statement: no ";" between statements');
    expect(problem('SELECT 1;; SELECT 2;')).toMatch(/single statement/);
    expect(problem('WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x')).toMatch(/not WITH \.\.\. INSERT/);
    expect(problem('WITH a AS (SELECT 1), b AS (SELECT 2) DELETE FROM t')).toMatch(/not WITH \.\.\. DELETE/);
    expect(problem('  -- nothing\n ;')).toMatch(/it is empty/);
    expect(problem("SELECT 'oops")).toMatch(/string that never ends/);
    expect(problem('SELECT (1')).toMatch(/without its "\)"/);
    expect(problem('SELECT 1 /* ; /* nested */ ;')).toMatch(/comment that never ends/);
  });

  it('accepts queries whose ";" and keywords sit in strings, identifiers or comments', () => {
    for (const sql of [
      'SELECT 1;',
      "SELECT ';' AS x -- ; COPY",
      'SELECT 1 AS "a;b" /* ; DROP /* nested */ ; */',
      'SELECT $$ ; DELETE $$ AS x',
      "SELECT E'it\\'s; fine' AS x",
      'FROM t SELECT amount',
      'VALUES (1), (2)',
      '(SELECT 1) UNION ALL (SELECT 2)',
      'WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 3), b AS MATERIALIZED (SELECT 2) SELECT * FROM a, b',
      'WITH x AS (SELECT 1) (SELECT * FROM x)',
    ]) {
      expect([sql, queryProblem(sql)]).toEqual([sql, undefined]);
    }
    expect(queryText('SELECT 1 ; ; -- done')).toBe('SELECT 1');
    expect(queryText("SELECT ';' -- ;")).toBe("SELECT ';'");
  });

  it('refuses bad SQL at run time too, before downloading or writing anything', async () => {
    const { context, lineage } = stepContext('bad-runtime');
    for (const sql of ["COPY orders TO '/tmp/x.csv'", "ATTACH '/tmp/x.db'", 'SELECT 1; SELECT 2']) {
      const run = duckdbSqlStep.run({ inputs: { orders }, sql }, context);
      await expect(run).rejects.toBeInstanceOf(ValidationError);
      await expect(run).rejects.toThrow(/^sql: must be a single (SELECT|statement)/);
    }
    // Past the lexical check (the ";" is inside parentheses), DuckDB's parser refuses it.
    await expect(duckdbSqlStep.run({ inputs: { orders }, sql: 'SELECT (1; DROP TABLE orders)' }, context)).rejects.toThrow(/^sql: does not parse/);
    expect(lineage.wrote).toEqual([]);
    expect(await exists('pipelines', `runs/${runId}/bad-runtime/result.parquet`)).toBe(false);
  });

  it('fails on a query DuckDB cannot run, and cannot read the machine\'s files, writing nothing', async () => {
    const { context, lineage } = stepContext('failing');
    await expect(duckdbSqlStep.run(duckdbSqlStep.input.parse({ inputs: { orders }, sql: 'SELECT nope FROM orders' }), context)).rejects.toThrow(/nope/);
    await expect(
      duckdbSqlStep.run(duckdbSqlStep.input.parse({ inputs: { orders }, sql: "SELECT * FROM read_csv('/etc/hostname')" }), context),
    ).rejects.toThrow(/Permission Error/);
    expect(lineage.wrote).toEqual([]);
    expect(await exists('pipelines', `runs/${runId}/failing/result.parquet`)).toBe(false);
  });

  it('fails, naming the blob, when an input is missing', async () => {
    const { context } = stepContext('missing');
    await expect(duckdbSqlStep.run(duckdbSqlStep.input.parse({ inputs: { t: { container: data, blob: 'gone.parquet' } }, sql: 'FROM t' }), context)).rejects.toThrow(
      `${data}/gone.parquet does not exist`,
    );
  });

  it('rejects bad table names and other bad `with`', () => {
    const problems = (value: unknown) => {
      const parsed = duckdbSqlStep.input.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(problems({ inputs: { 'bad-name': orders }, sql: 'SELECT 1' })).toEqual([expect.stringMatching(/^inputs\.bad-name: must be an identifier/)]);
    expect(problems({ inputs: { '1st': orders }, sql: 'SELECT 1' })).toHaveLength(1);
    expect(problems({ inputs: { ['a'.repeat(64)]: orders }, sql: 'SELECT 1' })).toHaveLength(1);
    expect(problems({ inputs: { 'x"; DROP': orders }, sql: 'SELECT 1' })).toHaveLength(1);
    expect(problems({ inputs: { Sales: orders, sales: orders }, sql: 'SELECT 1' })).toEqual(['inputs: has names that differ only in case']);
    expect(problems({ inputs: {}, sql: 'SELECT 1' })).toEqual(['inputs: needs at least one input']);
    expect(problems({ inputs: { t: { container: data } }, sql: 'SELECT 1' })).toHaveLength(1);
    expect(problems({ inputs: { t: orders }, sql: 'SELECT 1', output: { container: 'UPPER' } })).toHaveLength(1);
    expect(problems({ inputs: { a_1: orders }, sql: 'SELECT 1' })).toEqual([]);
  });
});
