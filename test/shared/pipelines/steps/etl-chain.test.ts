import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withDuckDb } from '../../../../shared/platform/duckdb.js';
import type { StepContext } from '../../../../shared/pipelines/step-type.js';
import { blobExtractStep } from '../../../../shared/pipelines/steps/blob-extract.js';
import { blobLoadStep } from '../../../../shared/pipelines/steps/blob-load.js';
import { duckdbSqlStep } from '../../../../shared/pipelines/steps/duckdb-sql.js';
import { createServices, type Services } from '../../../../shared/platform/services.js';
import { parseSettings } from '../../../../shared/platform/settings.js';
import { recordingStepContext } from '../../../support/step-context.js';

const suffix = randomUUID().slice(0, 8);
const runId = `run-${suffix}`;
const raw = `etl-raw-${suffix}`;
const curated = `etl-curated-${suffix}`;
let services: Services;

const stepContext = (stepId: string) => recordingStepContext(services, runId, stepId);

/** The rows of a parquet blob, read back with DuckDB. */
async function parquetRows(container: string, name: string, orderBy = '1'): Promise<Array<Record<string, unknown>>> {
  const content = await services.blob.getContainerClient(container).getBlobClient(name).downloadToBuffer();
  return withDuckDb(async (db) => {
    const path = join(db.scratch, 'check.parquet');
    await writeFile(path, content);
    return db.rows(`SELECT * FROM read_parquet('${path}') ORDER BY ${orderBy}`);
  });
}

beforeAll(async () => {
  const env = inject('arborEnv');
  services = createServices(parseSettings({ ...env, ARBOR_DATA_CONTAINERS: `pipelines,${raw},${curated}`, COSMOS_DATABASE: `steps-etl-${suffix}`, REDIS_KEY_PREFIX: `steps-etl-${suffix}:` }));
  const container = services.blob.getContainerClient(raw);
  await container.create();
  const january = 'region,amount\nnorth,10\nsouth,5\nnorth,2.5\n';
  const february = 'region,amount\nsouth,7\neast,1\n';
  await container.getBlockBlobClient('sales/2026-01.csv').upload(january, january.length);
  await container.getBlockBlobClient('sales/2026-02.csv').upload(february, february.length);
  // Under another prefix: must not be read.
  await container.getBlockBlobClient('other/2026-01.csv').upload('region,amount\nwest,100\n', 23);
});

afterAll(async () => {
  await services.blob.getContainerClient(raw).deleteIfExists();
  await services.blob.getContainerClient(curated).deleteIfExists();
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('an ETL chain: blob.extract CSV -> duckdb.sql aggregate -> blob.load to the cool tier', () => {
  it('stages, transforms and publishes parquet, recording lineage at every step', async () => {
    const extract = stepContext('extract');
    const extracted = await blobExtractStep.run(blobExtractStep.input.parse({ container: raw, prefix: 'sales/', format: 'csv' }), extract.context);
    expect(extracted).toMatchObject({ container: 'pipelines', blob: `runs/${runId}/extract/data.parquet`, rows: 5 });
    expect(extracted.bytes).toBeGreaterThan(0);
    expect(extract.lineage.read.map((blob) => blob.name).sort()).toEqual(['sales/2026-01.csv', 'sales/2026-02.csv']);
    expect(extract.lineage.wrote).toEqual([{ container: 'pipelines', name: `runs/${runId}/extract/data.parquet` }]);

    const transform = stepContext('transform');
    const transformed = await duckdbSqlStep.run(
      duckdbSqlStep.input.parse({
        inputs: { sales: { container: extracted.container, blob: extracted.blob } },
        sql: 'SELECT region, sum(amount)::DOUBLE AS total, count(*)::INTEGER AS orders FROM sales GROUP BY region;',
      }),
      transform.context,
    );
    expect(transformed).toMatchObject({ container: 'pipelines', blob: `runs/${runId}/transform/result.parquet`, rows: 3 });
    expect(transform.lineage).toEqual({
      read: [{ container: 'pipelines', name: extracted.blob }],
      wrote: [{ container: 'pipelines', name: transformed.blob }],
    });

    const load = stepContext('load');
    const target = 'sales/totals.parquet';
    const loaded = await blobLoadStep.run(
      blobLoadStep.input.parse({ from: { container: transformed.container, blob: transformed.blob }, to: { container: curated, blob: target }, tier: 'Cool' }),
      load.context,
    );
    expect(loaded).toEqual({ container: curated, blob: target, bytes: transformed.bytes, tier: 'Cool' });
    expect(load.lineage).toEqual({ read: [{ container: 'pipelines', name: transformed.blob }], wrote: [{ container: curated, name: target }] });

    expect(await parquetRows(curated, target)).toEqual([
      { region: 'east', total: 1, orders: 1 },
      { region: 'north', total: 12.5, orders: 2 },
      { region: 'south', total: 12, orders: 2 },
    ]);
    const properties = await services.blob.getContainerClient(curated).getBlobClient(target).getProperties();
    expect(properties.accessTier).toBe('Cool');
    expect(properties.contentLength).toBe(transformed.bytes);
  });
});
