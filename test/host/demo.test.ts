import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { localBlobConnectionString } from '../../local/blob-connection.js';
import { freePort } from '../../local/emulators/child-service.js';
import { forgetRedisPrefix } from '../../local/redis-prefix.js';
import { etlOutputs } from '../../tools/demo/etl-spec.js';
import { reporter } from '../../tools/demo/report.js';
import { runDemo } from '../../tools/demo/run.js';
import { redisClient } from '../support/clients.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';

/** `node dist/tools/demo/main.js <args>` to its end: exit code and what it printed. */
function demoProcess(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(process.cwd(), 'dist', 'tools', 'demo', 'main.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run demo, short form: the whole loop on 5,000 generated transactions through a host', () => {
  let host: HostProcess;
  let folder: string;

  beforeAll(async () => {
    // Its own storage: the demo lands and ingests files, and blob containers are shared by the
    // run's hosts (another file's host with ingestion on would quarantine this one's files).
    folder = await mkdtemp(join(tmpdir(), 'arbor-demo-'));
    host = await startHostProcess(
      {
        ARBOR_DATA_DIR: join(folder, '.arbor'),
        AzureWebJobsStorage: '',
        ARBOR_BLOB_PORT: String(await freePort()),
        'AzureWebJobs.catalog-landed-file.Disabled': 'false',
        'AzureWebJobs.ingest-feature-file.Disabled': 'false',
        ARBOR_SERVING_ALLOW_FAULTS: 'true',
      },
      120_000,
    );
  });
  afterAll(async () => {
    await host?.stop();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('lands, transforms, ingests, trains, serves, promotes v2, rolls v3 back, flags drift and answers with citations', async () => {
    const lines: string[] = [];
    const storage = localBlobConnectionString(folder, { ARBOR_DATA_DIR: join(folder, '.arbor') });
    const result = await runDemo({ rows: 5_000, url: host.url, seed: 7, rolloutIntervalSeconds: 1 }, storage, reporter((line) => lines.push(line)));
    const printed = lines.join('\n');
    // What the demo printed, in the test's output: each stage's counts and time.
    console.log(printed);
    expect(result.unmet, printed).toEqual([]);

    expect(result.etl.runState).toBe('succeeded');
    expect(result.etl.catalogued).toBe(5_000);
    expect(result.etl.steps.extract?.rows).toBe(5_000);
    expect(result.etl.steps.clean?.rows).toBe(5_000 - result.etl.reversals);
    expect(result.etl.steps.load_curated?.state).toBe('succeeded');
    const curated = etlOutputs(result.names).curated;
    const properties = await BlobServiceClient.fromConnectionString(storage).getContainerClient(curated.container).getBlobClient(curated.blob).getProperties();
    expect(properties.accessTier).toBe('Cool');

    expect(result.features.ingested[result.names.cardSpend]?.rows).toBe(5_000 - result.etl.reversals);
    expect(result.features.ingested[result.names.merchantRisk]?.rows).toBeGreaterThan(0);
    expect(Object.keys(result.features.materialized).sort()).toEqual([result.names.cardSpend, result.names.merchantRisk].sort());
    expect(result.features.onlinePresent).toBe(result.features.onlineRead);

    const { v1, v2, v3 } = result.training.versions;
    expect([v1.version, v2.version, v3.version]).toEqual([1, 2, 3]);
    expect(v2.auc).toBeGreaterThan(v1.auc);

    expect(result.rollouts.v2.state).toBe('promoted');
    expect(result.rollouts.v3?.state).toBe('rolled_back');
    expect(result.rollouts.v3?.reason).toMatch(/p99 [\d.]+ ms > maxP99Ms 500/);
    expect(result.rollouts.endpointVariants).toEqual([
      { name: 'stable', version: 2, weight: 100 },
      { name: 'canary-v3', version: 3, weight: 0 },
    ]);

    expect(result.drift.driftedFeatures).toEqual(expect.arrayContaining(['amount', 'is_fraud']));
    expect(result.drift.driftedFeatures).not.toContain('channel');
    expect(result.drift.currentRows).toBeGreaterThanOrEqual(1_000);

    expect(result.rag.citations.length).toBeGreaterThan(0);
    expect(result.rag.citations[0]?.documentId).toBe('drift-response');
    for (const citation of result.rag.citations) expect(result.rag.answer).toContain(`[${citation.n}]`);

    // Every stage printed its heading and its time.
    for (let stage = 1; stage <= 6; stage++) expect(printed).toMatch(new RegExp(`-- stage ${stage} took [\\d.]+ s`));
    expect(result.timings.map((t) => t.stage)).toEqual([1, 2, 3, 4, 5, 6]);
  }, 90_000);

  it('removes the Redis keys of a platform it started, and only those', async () => {
    // A started platform's emulators are in memory; its Redis keys (52,000 online rows with
    // TTLs of weeks at the default size) would outlive it in a Redis others share.
    const redis = redisClient();
    const mine = `${uniqueName('arbor-demo')}:`;
    const other = `${uniqueName('other')}:`;
    try {
      await redis.mset(...Array.from({ length: 2_500 }, (_, i) => [`${mine}k${i}`, 'v']).flat(), `${other}k`, 'v');
      expect(await forgetRedisPrefix(inject('arborEnv').REDIS_URL as string, mine)).toBe(2_500);
      expect(await redis.exists(`${mine}k0`, `${mine}k2499`)).toBe(0);
      expect(await redis.get(`${other}k`)).toBe('v');
      await expect(forgetRedisPrefix(inject('arborEnv').REDIS_URL as string, '')).rejects.toThrow(/empty prefix/);
      expect(await redis.get(`${other}k`)).toBe('v');
    } finally {
      await redis.del(`${other}k`);
      redis.disconnect();
    }
  });

  it('refuses a bad --rows or --url with a clear error and exit code 2, before touching any platform', async () => {
    const cases = [
      [['--rows', 'many'], /--rows must be a whole number from 1,000 to 10,000,000, not "many"/],
      [['--rows', '50'], /--rows must be a whole number from 1,000 to 10,000,000, not "50"/],
      [['--url', 'ftp://x'], /--url must be http or https/],
    ] as const;
    const runs = await Promise.all(cases.map(([args]) => demoProcess([...args])));
    runs.forEach((run, i) => {
      const [args, pattern] = cases[i]!;
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(pattern);
      expect(run.stdout).toBe('');
    });
  });
});
