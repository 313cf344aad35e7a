/**
 * bench/instances: the same load against 1 instance and against 2 behind the front door
 * (`npm start -- --instances N`), on one set of emulators:
 *  - online feature lookups per second (10 entities x 10 features a request),
 *  - vector queries per second (10,000 x 64, 2 shards, k 10),
 *  each with BENCH_CLIENTS concurrent clients (default 16) for BENCH_SECONDS (default 10) after
 *  a 2 s warm-up; then pipeline throughput (24 runs of a 5-step chain of no-op steps, started at
 *  once, timed until all have finished); and each instance's RSS, idle and after the load.
 * It prints the 2-instance / 1-instance ratio of each. The load generator runs on the same
 * machine as the instances: on a small machine it competes with them for the cores.
 */
import { readFileSync } from 'node:fs';
import { ensureDependencies } from '../local/emulators/dependencies.js';
import { runMain, startBenchHost, type BenchHost } from './support/host.js';
import { call, lookupIds, ok, rssMb, seedFeatures, seedVectors } from './support/platform-load.js';

const clients = Number(process.env.BENCH_CLIENTS ?? 16);
const measureMs = Number(process.env.BENCH_SECONDS ?? 10) * 1_000;
const warmUpMs = 2_000;
const vectorCount = 10_000;
const dimension = 64;
const pipelineRuns = 24;
const chainLength = 5;

/** The processes that serve requests: the host itself, or the front door's instances. */
function servingPids(host: BenchHost, instances: number): number[] {
  if (instances === 1) return [host.pid];
  return readFileSync(`/proc/${host.pid}/task/${host.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
}

/** `clients` loops issuing `request` back to back: completed requests per second, and how many each instance served. */
async function load(request: (i: number) => Promise<string | null>): Promise<{ perSecond: number; byInstance: Record<string, number>; errors: number }> {
  let measuring = false;
  let stop = false;
  let done = 0;
  let errors = 0;
  const byInstance: Record<string, number> = {};
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let i = client; !stop; i += clients) {
      try {
        const instance = await request(i);
        if (measuring) {
          done++;
          byInstance[instance ?? '-'] = (byInstance[instance ?? '-'] ?? 0) + 1;
        }
      } catch {
        if (measuring) errors++;
      }
    }
  });
  await new Promise((resolve) => setTimeout(resolve, warmUpMs));
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, measureMs));
  measuring = false;
  const elapsed = performance.now() - started;
  stop = true;
  await Promise.all(loops);
  return { perSecond: (done / elapsed) * 1_000, byInstance, errors };
}

interface Figures {
  features: number;
  vectors: number;
  pipelineStepsPerSecond: number;
  idleRss: number[];
  loadedRss: number[];
  spread: string[];
}

async function measure(dependencies: Record<string, string>, instances: number): Promise<Figures> {
  const host = await startBenchHost({ ...dependencies, ARBOR_VECTOR_SNAPSHOT_SCHEDULE: '0 0 0 1 1 *' }, instances > 1 ? ['--instances', String(instances)] : []);
  const { url } = host;
  try {
    const pids = servingPids(host, instances);
    const idleRss = pids.map(rssMb);
    const refs = await seedFeatures(url);
    const spread: string[] = [];
    const features = await load(async (i) => {
      const answer = await call(url, 'POST', 'features/online', { features: refs, entities: { driver_id: lookupIds(i) } });
      if (answer.status !== 200 || answer.body.results.length !== 10) throw new Error(`features/online: ${answer.status}`);
      return answer.instance;
    });
    spread.push(`features ${JSON.stringify(features.byInstance)}${features.errors ? `, ${features.errors} errors` : ''}`);

    // Vectors: 10,000 x 64 in 2 shards.
    const queries = await seedVectors(url, 'bench', vectorCount, dimension, 2);
    const vectors = await load(async (i) => {
      const answer = await call(url, 'POST', 'collections/bench/query', { vector: queries[i % queries.length], k: 10 });
      if (answer.status !== 200 || answer.body.results.length !== 10) throw new Error(`query: ${answer.status}`);
      return answer.instance;
    });
    spread.push(`vectors ${JSON.stringify(vectors.byInstance)}${vectors.errors ? `, ${vectors.errors} errors` : ''}`);
    const loadedRss = pids.map(rssMb);

    // Pipelines: runs started at once through the front door, timed until the last has finished.
    await ok(url, 'POST', 'pipelines', { name: 'bench-chain', maxParallel: 4, steps: Array.from({ length: chainLength }, (_, s) => ({ id: `s${s}`, uses: 'noop', ...(s ? { dependsOn: [`s${s - 1}`] } : {}) })) });
    const started = performance.now();
    const runIds = await Promise.all(Array.from({ length: pipelineRuns }, async () => (await ok(url, 'POST', 'pipelines/bench-chain/runs', { params: {} })).runId as string));
    await Promise.all(
      runIds.map(async (runId) => {
        for (;;) {
          const run = await ok(url, 'GET', `runs/${runId}`);
          if (run.state === 'succeeded') return;
          if (run.state === 'failed' || run.state === 'cancelled') throw new Error(`run ${runId} ${run.state}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }),
    );
    const pipelineStepsPerSecond = (pipelineRuns * chainLength) / ((performance.now() - started) / 1_000);
    return { features: features.perSecond, vectors: vectors.perSecond, pipelineStepsPerSecond, idleRss, loadedRss, spread };
  } finally {
    await host.stop();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
}

async function main(): Promise<void> {
  const dependencies = await ensureDependencies({ REDIS_URL: process.env.REDIS_URL }, { dataDir: '.arbor/bench', inMemory: true });
  try {
    const one = await measure(dependencies.env, 1);
    const two = await measure(dependencies.env, 2);
    const mb = (values: number[]) => values.map((v) => `${v.toFixed(0)} MB`).join(' + ');
    const row = (what: string, a: number, b: number, unit: string) => `| ${what} | ${a.toFixed(0)} ${unit} | ${b.toFixed(0)} ${unit} (${(b / 2).toFixed(0)} per instance) | ${(b / a).toFixed(2)}x |`;
    console.log(`\n${clients} concurrent clients, ${measureMs / 1000} s per scenario after ${warmUpMs / 1000} s warm-up; the load generator shares the machine (${(await import('node:os')).availableParallelism()} cores)`);
    console.log('| scenario | 1 instance | 2 instances | ratio |');
    console.log('|---|---|---|---|');
    console.log(row('online features, 10 entities x 10 features', one.features, two.features, 'req/s'));
    console.log(row('vector query, 10,000 x 64, 2 shards, k 10', one.vectors, two.vectors, 'q/s'));
    console.log(row(`pipelines, ${pipelineRuns} runs x ${chainLength}-step chain`, one.pipelineStepsPerSecond, two.pipelineStepsPerSecond, 'steps/s'));
    console.log(`| RSS idle | ${mb(one.idleRss)} | ${mb(two.idleRss)} | |`);
    console.log(`| RSS after features + vectors | ${mb(one.loadedRss)} | ${mb(two.loadedRss)} | |`);
    console.log(`\nrequests per instance (2 instances): ${two.spread.join('; ')}`);
    console.log(new Date().toISOString());
  } finally {
    await dependencies.stop();
  }
}

runMain(main);
