import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { parquetRows } from '../support/parquet.js';
import { pipelinesApi } from '../support/pipelines-api.js';

function etlSpec(name: string, source: string, target: string, schedule?: string) {
  return {
    name,
    ...(schedule ? { schedule } : {}),
    steps: [
      { id: 'extract', uses: 'blob.extract', with: { container: 'raw', prefix: `${source}/`, format: 'csv' } },
      {
        id: 'transform',
        uses: 'duckdb.sql',
        dependsOn: ['extract'],
        with: {
          inputs: { sales: { container: '${{ steps.extract.outputs.container }}', blob: '${{ steps.extract.outputs.blob }}' } },
          sql: 'SELECT region, sum(amount)::DOUBLE AS total, count(*)::INTEGER AS orders FROM sales GROUP BY region',
        },
      },
      {
        id: 'load',
        uses: 'blob.load',
        dependsOn: ['transform'],
        with: {
          from: { container: '${{ steps.transform.outputs.container }}', blob: '${{ steps.transform.outputs.blob }}' },
          to: { container: 'curated', blob: target },
          tier: 'Cool',
        },
      },
    ],
  };
}

describe('an ETL pipeline: CSV blobs -> DuckDB SQL -> parquet in the cool tier', () => {
  let host: HostProcess;
  const source = uniqueName('sales');
  const raw = blobClient().getContainerClient('raw');

  beforeAll(async () => {
    await raw.createIfNotExists();
    const january = 'region,amount\nnorth,10\nsouth,5\nnorth,2.5\n';
    const february = 'region,amount\nsouth,7\neast,1\n';
    await raw.getBlockBlobClient(`${source}/2026-01.csv`).upload(january, january.length);
    await raw.getBlockBlobClient(`${source}/2026-02.csv`).upload(february, february.length);
    host = await startHostProcess({ ARBOR_PIPELINE_SCHEDULER_SCHEDULE: '* * * * * *' });
  });
  afterAll(async () => {
    await host.stop();
  });

  it('runs on demand, writes the aggregate as parquet in the cool tier, and records lineage', async () => {
    const api = pipelinesApi(host);
    const name = uniqueName('etl');
    const target = `${source}/on-demand/totals.parquet`;
    expect((await api.register(etlSpec(name, source, target))).status).toBe(201);
    const run = await api.finished(await api.start(name), 60_000);
    expect(run.state, JSON.stringify(run.steps)).toBe('succeeded');
    expect(run.steps.extract?.outputs).toMatchObject({ rows: 5 });
    expect(run.steps.extract?.lineage.read).toHaveLength(2);
    expect(run.steps.load?.lineage.wrote).toEqual([{ container: 'curated', name: target }]);
    expect(await parquetRows('curated', target)).toEqual([
      { region: 'east', total: 1, orders: 1 },
      { region: 'north', total: 12.5, orders: 2 },
      { region: 'south', total: 12, orders: 2 },
    ]);
    const properties = await blobClient().getContainerClient('curated').getBlobClient(target).getProperties();
    expect(properties.accessTier).toBe('Cool');
  });

  it('runs on its schedule, once per due time', async () => {
    const api = pipelinesApi(host);
    const name = uniqueName('etl-scheduled');
    const target = `${source}/scheduled/totals.parquet`;
    expect((await api.register(etlSpec(name, source, target, '*/3 * * * * *'))).status).toBe(201);
    const runs = await eventually(async () => {
      const listing = (await (await api.get(`pipelines/${name}/runs`)).json()) as { runs: Array<{ runId: string; trigger: string; state: string }> };
      return listing.runs.some((r) => r.state === 'succeeded') ? listing.runs : undefined;
    }, 45_000, 500);
    expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
    expect(new Set(runs.map((r) => r.runId)).size).toBe(runs.length);
    expect(await parquetRows('curated', target)).toHaveLength(3);
  });

  it('refuses SQL that is not one SELECT, and a bad step input, at registration', async () => {
    const api = pipelinesApi(host);
    const name = uniqueName('etl-bad');
    const spec = etlSpec(name, source, 'x.parquet');
    const bad = {
      ...spec,
      steps: [
        { id: 'extract', uses: 'blob.extract', with: { container: 'raw', prefix: 'x/', format: 'xlsx' } },
        { id: 'copy', uses: 'duckdb.sql', with: { inputs: { t: { container: 'raw', blob: 'x' } }, sql: "COPY t TO '/tmp/x.csv'" } },
        { id: 'two', uses: 'duckdb.sql', with: { inputs: { t: { container: 'raw', blob: 'x' } }, sql: 'SELECT 1; DROP TABLE t' } },
      ],
    };
    const response = await api.register(bad);
    expect(response.status).toBe(400);
    const details = ((await response.json()) as { error: { details: Array<{ field: string; problem: string }> } }).error.details;
    expect(details.find((d) => d.field === 'steps[0].with.format')).toBeTruthy();
    expect(details.find((d) => d.field === 'steps[1].with.sql')?.problem).toMatch(/single SELECT/);
    expect(details.find((d) => d.field === 'steps[2].with.sql')?.problem).toMatch(/single statement/);
    expect((await api.get(`pipelines/${name}`)).status).toBe(404);
  });
});

describe('two hosts running the scheduler', () => {
  it('start each due run once', async () => {
    const first = await startHostProcess({ ARBOR_PIPELINE_SCHEDULER_SCHEDULE: '* * * * * *' });
    const second = await startHostProcess({
      ARBOR_PIPELINE_SCHEDULER_SCHEDULE: '* * * * * *',
      COSMOS_DATABASE: first.database,
      REDIS_KEY_PREFIX: first.redisPrefix,
    });
    try {
      const api = pipelinesApi(first);
      const name = uniqueName('ticker');
      expect((await api.register({ name, schedule: '*/2 * * * * *', steps: [{ id: 'tick', uses: 'noop' }] })).status).toBe(201);
      // Wait for three due times to have been started, however long the machine takes.
      const listing = await eventually(async () => {
        const found = (await (await api.get(`pipelines/${name}/runs`)).json()) as { runs: Array<{ runId: string; createdAt: string }> };
        return found.runs.length >= 3 ? found : undefined;
      }, 30_000, 250);
      // A run's id names its due time: one run per due time, each on the 2-second schedule,
      // whichever host claimed it.
      const dueTimes = listing.runs.map((r) => /-sched-(\d{8}T\d{6}Z)$/.exec(r.runId)?.[1]);
      expect(dueTimes.every((due) => due !== undefined)).toBe(true);
      expect(new Set(dueTimes).size).toBe(listing.runs.length);
      for (const due of dueTimes) expect(Number(due?.slice(13, 15)) % 2, due).toBe(0);
      // The loser of each claim did not even try: a second start of one due run would have
      // failed on the existing run id and been logged.
      expect([...first.output, ...second.output].filter((line) => line.includes('could not start'))).toEqual([]);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  });
});
