import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { duckDbLimits, quoteIdentifier, quoteLiteral, setDuckDbLimits, withDuckDb } from '../../../../shared/platform/duckdb.js';

describe('the DuckDB engine wrapper', () => {
  it('reads and writes parquet and JSON with the built-in extensions, on 2 threads, installing nothing', async () => {
    const settings = await withDuckDb(async (db) => {
      await writeFile(join(db.scratch, 'a.jsonl'), '{"k":"x","v":1}\n{"k":"y","v":2}\n');
      const path = join(db.scratch, 'a.parquet');
      expect(await db.copyToParquet(`SELECT * FROM read_json(${quoteLiteral(join(db.scratch, 'a.jsonl'))}, format = 'newline_delimited')`, path)).toBe(2);
      expect(await db.rows(`SELECT k, v FROM read_parquet(${quoteLiteral(path)}) ORDER BY k`)).toEqual([
        { k: 'x', v: 1n },
        { k: 'y', v: 2n },
      ]);
      return db.rows(
        "SELECT name, value FROM duckdb_settings() WHERE name IN ('threads', 'autoinstall_known_extensions', 'autoload_known_extensions', 'enable_external_access') ORDER BY name",
      );
    });
    expect(settings).toEqual([
      { name: 'autoinstall_known_extensions', value: 'false' },
      { name: 'autoload_known_extensions', value: 'false' },
      { name: 'enable_external_access', value: 'false' },
      { name: 'threads', value: '2' },
    ]);
  });

  it('reaches its scratch folder and nothing else, and its settings are locked', async () => {
    await withDuckDb(async (db) => {
      const started = Date.now();
      await expect(db.rows("SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')")).rejects.toThrow(/Permission Error/);
      await expect(db.rows("SELECT * FROM read_csv('/etc/hostname')")).rejects.toThrow(/Permission Error/);
      await expect(db.run("COPY (SELECT 1) TO '/tmp/arbor-escape.csv'")).rejects.toThrow(/Permission Error/);
      await expect(db.run('INSTALL httpfs')).rejects.toThrow(/Permission Error/);
      await expect(db.run('LOAD httpfs')).rejects.toThrow(/Permission Error/);
      await expect(db.run('SET enable_external_access = true')).rejects.toThrow(/locked/);
      // Refused at once, not after a download attempt times out.
      expect(Date.now() - started).toBeLessThan(2_000);
    });
    expect(existsSync('/tmp/arbor-escape.csv')).toBe(false);
  });

  it('removes its scratch folder when the session ends, even when the work fails', async () => {
    let scratch = '';
    await expect(
      withDuckDb(async (db) => {
        scratch = db.scratch;
        await writeFile(join(scratch, 'x'), 'x');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(scratch).not.toBe('');
    expect(existsSync(scratch)).toBe(false);
  });

  it('interrupts a running query when the signal aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('step timed out');
    setTimeout(() => controller.abort(reason), 200);
    const started = Date.now();
    await expect(
      withDuckDb((db) => db.rows('SELECT count(*) FROM range(1000000000000) a WHERE a.range % 7 = 3'), { signal: controller.signal }),
    ).rejects.toBe(reason);
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect(withDuckDb(async () => 1, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('asks its own parser whether SQL is one SELECT', async () => {
    await withDuckDb(async (db) => {
      await db.run('CREATE TABLE t AS SELECT 1 AS a');
      expect(await db.selectProblem('SELECT a FROM t')).toBeUndefined();
      expect(await db.selectProblem('WITH x AS (SELECT 1) SELECT * FROM x')).toBeUndefined();
      expect(await db.selectProblem('SELECT 1; SELECT 2')).toBe('must be a single statement, not 2');
      expect(await db.selectProblem('CREATE TABLE u (a INTEGER)')).toMatch(/not CREATE/);
      expect(await db.selectProblem('INSERT INTO t VALUES (1)')).toMatch(/not INSERT/);
      expect(await db.selectProblem('EXPLAIN SELECT 1')).toMatch(/not EXPLAIN/);
      expect(await db.selectProblem('SELEC 1')).toMatch(/^does not parse: Parser Error/);
    });
  });

  it('quotes identifiers and literals so they stay one token', () => {
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});

describe('the DuckDB engine wrapper limits', () => {
  it('caps memory and spills to a disk folder within a size cap, from the limits set at start', async () => {
    const previous = { ...duckDbLimits() };
    const root = await mkdtemp(join(tmpdir(), 'arbor-duck-limits-'));
    setDuckDbLimits({ memoryLimit: '300MB', maxTempDirectorySize: '1GB', scratchRoot: root });
    try {
      const seen = await withDuckDb(async (db) => {
        const values = await db.rows("SELECT name, value FROM duckdb_settings() WHERE name IN ('memory_limit', 'max_temp_directory_size', 'temp_directory') ORDER BY name");
        return { scratch: db.scratch, values: Object.fromEntries(values.map((row) => [row.name, row.value])) };
      });
      expect(seen.scratch.startsWith(`${root}/`)).toBe(true);
      expect(seen.scratch.startsWith('/dev/shm')).toBe(false);
      // DuckDB reports sizes in its own units (300MB -> 286.1 MiB).
      expect(seen.values.memory_limit).toMatch(/^286\.\d MiB$/);
      expect(seen.values.max_temp_directory_size).toMatch(/^953\.\d MiB$/);
      expect(seen.values.temp_directory).toBe(join(seen.scratch, 'spill'));
    } finally {
      setDuckDbLimits(previous);
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps the host folders out of its errors', async () => {
    const message = await withDuckDb(async (db) => {
      await writeFile(join(db.scratch, 'input-0.csv'), 'a,b\n1,2\n');
      const error = await db.rows(`SELECT missing_column FROM read_csv(${quoteLiteral(join(db.scratch, 'input-0.csv'))})`).catch((caught: unknown) => caught);
      const withPath = await db.rows(`SELECT * FROM read_parquet(${quoteLiteral(join(db.scratch, 'absent.parquet'))})`).catch((caught: unknown) => caught);
      return { binder: String(error), io: String(withPath), scratch: db.scratch };
    });
    expect(message.io).toContain('<scratch>/absent.parquet');
    expect(message.io).not.toContain(message.scratch);
    expect(message.binder).toMatch(/missing_column/);
  });
});
