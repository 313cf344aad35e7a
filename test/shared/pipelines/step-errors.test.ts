import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError } from '../../../shared/platform/errors.js';
import { EgressRefusedError } from '../../../shared/platform/egress.js';
import { DependencyUnavailableError } from '../../../shared/storage/dependency.js';
import { StepTimeoutError } from '../../../shared/pipelines/execute-step.js';
import { isPermanent, isTransientStatus, PermanentStepError } from '../../../shared/pipelines/step-errors.js';

async function duckdbError(sql: string): Promise<unknown> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    await connection.run(sql);
  } catch (error) {
    return error;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  throw new Error(`"${sql}" did not fail`);
}

describe('which step failures a retry could fix', () => {
  it('calls a query DuckDB cannot bind, parse or find permanent, and one that fails on its data transient', async () => {
    expect(isPermanent(await duckdbError('SELECT nope FROM (SELECT 1 AS a)'))).toBe(true);
    expect(isPermanent(await duckdbError('SELEC 1'))).toBe(true);
    expect(isPermanent(await duckdbError('SELECT * FROM no_such_table'))).toBe(true);
    // An error raised while the query runs (here by hand) is about the data at that moment, not the query.
    expect(isPermanent(await duckdbError("SELECT error('transient-looking failure')"))).toBe(false);
  });

  it('calls refused input permanent, and waiting, conflicts and dependencies transient', () => {
    expect(isPermanent(new ValidationError([{ field: 'sql', problem: 'x' }]))).toBe(true);
    expect(isPermanent(new NotFoundError('view', 'v'))).toBe(true);
    expect(isPermanent(new EgressRefusedError('10.0.0.1 is private'))).toBe(true);
    expect(isPermanent(new PermanentStepError('told so'))).toBe(true);
    expect(isPermanent(new ConflictError('busy'))).toBe(false);
    expect(isPermanent(new DependencyUnavailableError('redis', new Error('down')))).toBe(false);
    expect(isPermanent(new StepTimeoutError('slow'))).toBe(false);
    expect(isPermanent(new Error('ECONNRESET'))).toBe(false);
    expect(isPermanent('a string')).toBe(false);
  });

  it('retries 5xx, 408, 409, 425 and 429, not other 4xx', () => {
    expect([400, 401, 403, 404, 408, 409, 422, 425, 429, 500, 502, 503].filter(isTransientStatus)).toEqual([408, 409, 425, 429, 500, 502, 503]);
  });
});
