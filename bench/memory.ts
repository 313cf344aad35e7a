/**
 * bench/memory: does anything grow without bound under steady load (issue 16)?
 * One host; a feature view (1,000 entities x 10 features) and a vector collection (10,000 x 64,
 * 2 shards). The host's RSS and V8 heap (from /api/metrics) are sampled every 10 s: first for
 * 60 s idle (the baseline: what the host does on its own, timers and polling), then under
 * BENCH_MEMORY_SECONDS (default 600) of steady load by 4 clients: online lookups (10 x 10),
 * vector queries (k 10), feature pushes (the 1,000 rows again, new values) and a 5-step
 * pipeline run every 10 s. It prints each phase's least-squares slope in MB per minute, after a
 * 2-minute warm-up for the loaded phase, and the slope of its last half: memory that levels off
 * has a last-half slope near zero, a leak keeps its slope.
 */
import { ensureDependencies } from '../local/emulators/dependencies.js';
import { runMain, startBenchHost } from './support/host.js';
import { call, featureRows, lookupIds, ok, rssMb, seedFeatures, seedVectors } from './support/platform-load.js';

const loadSeconds = Number(process.env.BENCH_MEMORY_SECONDS ?? 600);
const idleSeconds = 60;
const warmUpSeconds = Math.min(120, loadSeconds / 5);
const sampleEveryMs = 10_000;
const clients = 4;

interface Sample {
  /** Seconds since the phase began. */
  at: number;
  rss: number;
  heap: number;
}

/** Least-squares slope of y over x, per minute. */
function slopePerMinute(samples: readonly Sample[], value: (s: Sample) => number): number {
  const n = samples.length;
  if (n < 2) return NaN;
  const meanX = samples.reduce((sum, s) => sum + s.at, 0) / n;
  const meanY = samples.reduce((sum, s) => sum + value(s), 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const s of samples) {
    covariance += (s.at - meanX) * (value(s) - meanY);
    variance += (s.at - meanX) ** 2;
  }
  return (covariance / variance) * 60;
}

async function heapUsedMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('nodejs_heap_size_used_bytes '));
  return Number(line?.split(' ')[1] ?? NaN) / 1024 / 1024;
}

/** Samples the host every 10 s until `until` resolves. */
async function sample(url: string, pid: number, until: Promise<unknown>): Promise<Sample[]> {
  const samples: Sample[] = [];
  const started = performance.now();
  let finished = false;
  void until.finally(() => {
    finished = true;
  });
  while (!finished) {
    samples.push({ at: (performance.now() - started) / 1000, rss: rssMb(pid), heap: await heapUsedMb(url) });
    await Promise.race([until, new Promise((resolve) => setTimeout(resolve, sampleEveryMs))]);
  }
  samples.push({ at: (performance.now() - started) / 1000, rss: rssMb(pid), heap: await heapUsedMb(url) });
  return samples;
}

function report(phase: string, samples: readonly Sample[], from: number): string {
  const kept = samples.filter((s) => s.at >= from);
  const lastHalf = kept.filter((s) => s.at >= (from + (kept.at(-1)?.at ?? from)) / 2);
  const first = kept[0] as Sample;
  const last = kept.at(-1) as Sample;
  const f = (v: number) => v.toFixed(1);
  return `| ${phase} | ${kept.length} | ${f(first.rss)} -> ${f(last.rss)} MB | ${slopePerMinute(kept, (s) => s.rss).toFixed(2)} | ${slopePerMinute(lastHalf, (s) => s.rss).toFixed(2)} | ${f(first.heap)} -> ${f(last.heap)} MB | ${slopePerMinute(kept, (s) => s.heap).toFixed(2)} | ${slopePerMinute(lastHalf, (s) => s.heap).toFixed(2)} |`;
}

async function main(): Promise<void> {
  const dependencies = await ensureDependencies({ REDIS_URL: process.env.REDIS_URL }, { dataDir: '.arbor/bench', inMemory: true });
  const host = await startBenchHost({ ...dependencies.env, ARBOR_VECTOR_SNAPSHOT_SCHEDULE: '0 0 0 1 1 *' });
  const { url } = host;
  try {
    const refs = await seedFeatures(url);
    const queries = await seedVectors(url, 'bench-memory', 10_000, 64, 2);
    await ok(url, 'POST', 'pipelines', { name: 'bench-memory-chain', maxParallel: 4, steps: Array.from({ length: 5 }, (_, s) => ({ id: `s${s}`, uses: 'noop', ...(s ? { dependsOn: [`s${s - 1}`] } : {}) })) });
    console.log(`idle for ${idleSeconds} s, then ${loadSeconds} s of load by ${clients} clients; a sample every ${sampleEveryMs / 1000} s`);
    const idle = await sample(url, host.pid, new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000)));

    const counts = { lookups: 0, queries: 0, pushes: 0, runs: 0, errors: 0 };
    let stop = false;
    const work = async (): Promise<void> => {
      const loops = Array.from({ length: clients }, async (_, client) => {
        for (let i = client; !stop; i += clients) {
          const kind = i % 20;
          try {
            if (kind < 12) {
              const answer = await call(url, 'POST', 'features/online', { features: refs, entities: { driver_id: lookupIds(i) } });
              if (answer.status !== 200) throw new Error(`features/online ${answer.status}`);
              counts.lookups++;
            } else if (kind < 19) {
              const answer = await call(url, 'POST', 'collections/bench-memory/query', { vector: queries[i % queries.length], k: 10 });
              if (answer.status !== 200 || answer.body.results.length !== 10) throw new Error(`query ${answer.status}`);
              counts.queries++;
            } else {
              await ok(url, 'POST', 'features/push', { view: 'bench_view', rows: featureRows(i) });
              counts.pushes++;
            }
          } catch (error) {
            counts.errors++;
            if (counts.errors <= 3) console.error(error);
          }
        }
      });
      const runs = (async () => {
        while (!stop) {
          try {
            await ok(url, 'POST', 'pipelines/bench-memory-chain/runs', { params: {} });
            counts.runs++;
          } catch (error) {
            counts.errors++;
            if (counts.errors <= 3) console.error(error);
          }
          await new Promise((resolve) => setTimeout(resolve, 10_000));
        }
      })();
      await new Promise((resolve) => setTimeout(resolve, loadSeconds * 1000));
      stop = true;
      await Promise.all([...loops, runs]);
    };
    const progress = setInterval(() => process.stdout.write(`\r${JSON.stringify(counts)}   `), 5_000);
    const loaded = await sample(url, host.pid, work());
    clearInterval(progress);
    console.log(`\n\n${counts.lookups} lookups, ${counts.queries} queries, ${counts.pushes} pushes of 1,000 rows, ${counts.runs} pipeline runs started, ${counts.errors} errors`);
    console.log('| phase | samples | RSS | RSS slope MB/min | last half | V8 heap used | heap slope MB/min | last half |');
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(report(`idle ${idleSeconds} s (baseline)`, idle, 0));
    console.log(report(`load ${loadSeconds} s, after ${warmUpSeconds} s warm-up`, loaded, warmUpSeconds));
    console.log(new Date().toISOString());
  } finally {
    await host.stop();
    await dependencies.stop();
  }
}

runMain(main);
