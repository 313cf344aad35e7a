/**
 * bench/features:
 *  - online: p50/p95/p99 of POST /api/features/online for 1, 10 and 100 entities x 50 features
 *    over 5 views, beside raw ioredis pipelined HMGET of the same keys and fields in the same run;
 *  - offline: a point-in-time training set of 100,000 label rows against 5,000,000 feature rows
 *    through POST /api/features/historical (a job, followed to its end), beside the same ASOF JOIN typed into DuckDB directly
 *    over the same parquet files.
 * BENCH_FEATURE_ROWS and BENCH_LABEL_ROWS shrink the offline scenario for a quick look.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { DuckDBInstance } from '@duckdb/node-api';
import { Redis } from 'ioredis';
import { serveOnlineRequest } from '../shared/features/requests-served.js';
import { onlineRequestSchema } from '../shared/features/requests.js';
import { createServices } from '../shared/platform/services.js';
import { parseSettings } from '../shared/platform/settings.js';
import { runMain, withBenchHost } from './support/host.js';
import { percentile } from './support/percentile.js';

const featureRows = Number(process.env.BENCH_FEATURE_ROWS ?? 5_000_000);
const labelRows = Number(process.env.BENCH_LABEL_ROWS ?? 100_000);
const onlineEntities = 1_000;
const requestsPerSize = 300;

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function post(url: string, path: string, body: unknown): Promise<Record<string, any>> {
  const response = await fetch(`${url}/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed = (await response.json()) as Record<string, any>;
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed).slice(0, 500)}`);
  return parsed;
}

/** A request that may answer 202 and a job (docs/features.md, "Jobs"): the job's result once it has succeeded. */
async function postAndFollow(url: string, path: string, body: unknown): Promise<Record<string, any>> {
  const response = await fetch(`${url}/api/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed = (await response.json()) as Record<string, any>;
  if (response.status === 200) return parsed;
  if (response.status !== 202) throw new Error(`${path}: ${response.status} ${JSON.stringify(parsed).slice(0, 500)}`);
  for (;;) {
    const job = (await (await fetch(parsed.statusUrl as string)).json()) as Record<string, any>;
    if (job.state === 'succeeded') return job.result as Record<string, any>;
    if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`${path}: job ${job.state} ${JSON.stringify(job.error)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function online(url: string, env: Record<string, string>): Promise<string[]> {
  const views = Array.from({ length: 5 }, (_, v) => ({
    name: `bench_view_${v}`,
    entity: 'bench_driver',
    ttlSeconds: 86_400,
    online: true,
    features: Array.from({ length: 10 }, (_, f) => ({ name: `f${f}`, type: 'float64' })),
  }));
  await post(url, 'features/registry', { entities: [{ name: 'bench_driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }], featureViews: views });
  const now = new Date().toISOString();
  for (const view of views) {
    const rows = Array.from({ length: onlineEntities }, (_, id) => ({ driver_id: id, event_timestamp: now, ...Object.fromEntries(view.features.map((f, i) => [f.name, id + i / 10])) }));
    await post(url, 'features/push', { view: view.name, rows });
  }
  const refs = views.flatMap((view) => view.features.map((f) => `${view.name}:${f.name}`));
  const registry = (await (await fetch(`${url}/api/features/registry`)).json()) as { featureViews: Array<{ name: string; tag: string; featureTags: Record<string, string> }> };
  const fields = registry.featureViews
    .filter((v) => v.name.startsWith('bench_view_'))
    .flatMap((v) => [`${v.tag}.t`, ...Object.values(v.featureTags).map((t) => `${v.tag}.${t}`)]);
  const redis = new Redis(env.REDIS_URL ?? 'redis://127.0.0.1:6379', { keyPrefix: env.REDIS_KEY_PREFIX });
  // The handler's own work (schema, registry, Redis, the answer as JSON) run in this process on
  // the host's settings: what the API adds over it is HTTP and the invocation.
  const services = createServices(parseSettings(env));
  const lines: string[] = [];
  try {
    let seed = 1;
    const pick = (n: number) => Array.from({ length: n }, () => (seed = (seed * 48_271) % 2_147_483_647) % onlineEntities);
    for (const size of [1, 10, 100]) {
      const api: number[] = [];
      const raw: number[] = [];
      const inProcess: number[] = [];
      for (let i = 0; i < requestsPerSize; i++) {
        const ids = pick(size);
        let started = performance.now();
        const answer = await post(url, 'features/online', { features: refs, entities: { driver_id: ids } });
        api.push(performance.now() - started);
        if (answer.results.length !== size) throw new Error('wrong answer size');
        started = performance.now();
        const pipeline = redis.pipeline();
        for (const id of ids) pipeline.hmget(`f:default:bench_driver:${id}`, ...fields);
        const replies = await pipeline.exec();
        raw.push(performance.now() - started);
        if (replies?.length !== size || replies[0]?.[1] === null) throw new Error('raw read failed');
        started = performance.now();
        const served = JSON.stringify({ results: await serveOnlineRequest(services, onlineRequestSchema.parse({ features: refs, entities: { driver_id: ids } })) });
        inProcess.push(performance.now() - started);
        if (served.length < 10) throw new Error('in-process read failed');
      }
      api.sort((a, b) => a - b);
      raw.sort((a, b) => a - b);
      inProcess.sort((a, b) => a - b);
      lines.push(
        `| ${String(size).padStart(3)} x 50 | ${fmt(percentile(api, 50))} | ${fmt(percentile(api, 95))} | ${fmt(percentile(api, 99))} | ${fmt(percentile(raw, 50))} | ${fmt(percentile(raw, 95))} | ${fmt(percentile(raw, 99))} | ${(percentile(api, 50) / percentile(raw, 50)).toFixed(1)}x | ${fmt(percentile(inProcess, 50))} | ${fmt(percentile(inProcess, 99))} |`,
      );
      console.log(lines.at(-1));
    }
    // The route's floor in the same run: a lookup the schema refuses (HTTP, the invocation, the
    // answer; no registry or Redis), so what a lookup adds over it can be set beside raw Redis.
    const refused: number[] = [];
    for (let i = 0; i < requestsPerSize; i++) {
      const started = performance.now();
      const response = await fetch(`${url}/api/features/online`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"features":[],"entities":{}}' });
      await response.text();
      refused.push(performance.now() - started);
      if (response.status !== 400) throw new Error(`a refused lookup answered ${response.status}`);
    }
    refused.sort((a, b) => a - b);
    lines.push(`refused lookup (400 before any read; the route's floor): p50 ${fmt(percentile(refused, 50))}, p95 ${fmt(percentile(refused, 95))}, p99 ${fmt(percentile(refused, 99))}`);
    console.log(lines.at(-1));
  } finally {
    redis.disconnect();
    services.redis.disconnect();
    services.cosmos.client.dispose();
  }
  return lines;
}

async function offline(url: string, env: Record<string, string>): Promise<string[]> {
  const drivers = Math.max(1, Math.floor(featureRows / 100));
  const days = 60;
  const start = Date.parse('2026-09-01T00:00:00Z');
  await post(url, 'features/registry', {
    entities: [{ name: 'bench_rider', joinKeys: [{ name: 'rider_id', type: 'int64' }] }],
    featureViews: [
      {
        name: 'bench_history',
        entity: 'bench_rider',
        ttlSeconds: 7 * 86_400,
        online: false,
        features: [
          { name: 'trips', type: 'int64' },
          { name: 'rating', type: 'float64' },
          { name: 'spend', type: 'float64' },
        ],
      },
    ],
  });
  const folder = await mkdtemp('/dev/shm/arbor-bench-features-');
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const db = await instance.connect();
  await db.run("SET TimeZone = 'UTC'");
  const lines: string[] = [];
  try {
    process.stdout.write(`  generating ${featureRows.toLocaleString()} feature rows ...`);
    let started = performance.now();
    // Rows spread over 60 days, written as one parquet part per day as the store lays them out.
    await db.run(`COPY (
      SELECT i % ${drivers} AS rider_id,
             TIMESTAMP '2026-09-01' + to_microseconds(CAST(hash(i) % ${days * 86_400_000_000} AS BIGINT)) AS event_timestamp,
             CAST(hash(i * 3) % 500 AS BIGINT) AS trips, (hash(i * 7) % 500) / 100.0 AS rating, (hash(i * 11) % 100000) / 100.0 AS spend,
             TIMESTAMP '2026-11-01' AS _written_at,
             strftime(TIMESTAMP '2026-09-01' + to_microseconds(CAST(hash(i) % ${days * 86_400_000_000} AS BIGINT)), '%Y-%m-%d') AS date
      FROM range(${featureRows}) t(i)) TO '${folder}/parts' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (date))`);
    const blob = BlobServiceClient.fromConnectionString(env.AzureWebJobsStorage as string).getContainerClient('offline');
    await blob.createIfNotExists();
    const partFiles: string[] = [];
    for (const entry of await readdir(join(folder, 'parts'))) {
      for (const file of await readdir(join(folder, 'parts', entry))) {
        partFiles.push(join(folder, 'parts', entry, file));
        await blob.getBlockBlobClient(`bench_history/${entry}/bench-${file}`).uploadFile(join(folder, 'parts', entry, file), { tier: 'Cool' });
      }
    }
    console.log(` ${((performance.now() - started) / 1000).toFixed(1)} s (${partFiles.length} parts)`);

    let seed = 3;
    const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
    const labels = Array.from({ length: labelRows }, (_, i) => ({
      rider_id: Math.floor(random() * drivers),
      event_timestamp: new Date(start + 7 * 86_400_000 + random() * (days - 7) * 86_400_000).toISOString(),
      label: i % 2,
    }));
    const refs = ['bench_history:trips', 'bench_history:rating', 'bench_history:spend'];

    started = performance.now();
    // Over 10,000 rows it is a job: the time is the whole of it, 202 to succeeded.
    const result = await postAndFollow(url, 'features/historical', { features: refs, entityRows: labels });
    const apiMs = performance.now() - started;
    if (result.rowCount !== labelRows) throw new Error(`training set has ${result.rowCount} rows`);

    // Baseline: the same join typed into DuckDB over the same local parquet files.
    const labelsPath = join(folder, 'labels.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(labelsPath, JSON.stringify(labels));
    started = performance.now();
    await db.run(`CREATE TABLE labels AS SELECT rider_id::BIGINT AS rider_id, timezone('UTC', event_timestamp::TIMESTAMPTZ) AS event_timestamp, label FROM read_json('${labelsPath}')`);
    await db.run(`CREATE TABLE history AS SELECT * FROM read_parquet('${folder}/parts/*/*.parquet')`);
    await db.run(`COPY (
      SELECT l.*, CASE WHEN h.event_timestamp >= l.event_timestamp - INTERVAL 7 DAY THEN h.trips END AS trips,
             CASE WHEN h.event_timestamp >= l.event_timestamp - INTERVAL 7 DAY THEN h.rating END AS rating,
             CASE WHEN h.event_timestamp >= l.event_timestamp - INTERVAL 7 DAY THEN h.spend END AS spend
      FROM labels l ASOF LEFT JOIN history h ON l.rider_id = h.rider_id AND l.event_timestamp >= h.event_timestamp
    ) TO '${folder}/baseline.parquet' (FORMAT parquet)`);
    const duckMs = performance.now() - started;
    // The same, with the store's de-duplication of (keys, event time) rewrites before the join.
    started = performance.now();
    await db.run(`CREATE TABLE deduped AS SELECT * FROM history QUALIFY row_number() OVER (PARTITION BY rider_id, event_timestamp ORDER BY _written_at DESC) = 1`);
    await db.run(`COPY (SELECT l.*, h.trips FROM labels l ASOF LEFT JOIN deduped h ON l.rider_id = h.rider_id AND l.event_timestamp >= h.event_timestamp) TO '${folder}/deduped.parquet' (FORMAT parquet)`);
    const dedupeMs = performance.now() - started + duckMs;
    lines.push(
      `| ${labelRows.toLocaleString()} labels x ${featureRows.toLocaleString()} feature rows | ${(apiMs / 1000).toFixed(2)} s | ${(duckMs / 1000).toFixed(2)} s | ${(dedupeMs / 1000).toFixed(2)} s | ${(apiMs / duckMs).toFixed(1)}x |`,
    );
    console.log(lines.at(-1));
  } finally {
    db.closeSync();
    instance.closeSync();
    await rm(folder, { recursive: true, force: true });
  }
  return lines;
}

async function main(): Promise<void> {
  await withBenchHost('.arbor/bench', {}, async (host) => {
    console.log('\n| entities x features | API p50 | API p95 | API p99 | raw HMGET p50 | raw p95 | raw p99 | p50 ratio | handler in process p50 | p99 |');
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    const onlineLines = await online(host.url, host.env);
    console.log('\n| training set | Arbor /api/features/historical | DuckDB ASOF JOIN alone | + de-duplication | ratio to ASOF alone |');
    console.log('|---|---|---|---|---|');
    const offlineLines = await offline(host.url, host.env);
    console.log(`\n${onlineLines.length + offlineLines.length} scenarios, ${requestsPerSize} requests per online size, ${new Date().toISOString()}`);
  });
}

runMain(main);
