import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { blobClient } from './clients.js';
import { uniqueName } from './host-process.js';

/** Rows of a parquet blob, read back with DuckDB in the test process: ordered by the first column, or as the file holds them. */
export async function parquetRows(container: string, name: string, order: 'first column' | 'file' = 'first column'): Promise<Array<Record<string, unknown>>> {
  const content = await blobClient().getContainerClient(container).getBlobClient(name).downloadToBuffer();
  const path = join(tmpdir(), `${uniqueName('check')}.parquet`);
  await writeFile(path, content);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    return (await connection.runAndReadAll(`SELECT * FROM read_parquet('${path}')${order === 'file' ? '' : ' ORDER BY 1'}`)).getRowObjectsJS() as Array<Record<string, unknown>>;
  } finally {
    connection.closeSync();
    instance.closeSync();
    await rm(path);
  }
}
