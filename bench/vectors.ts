/**
 * bench/vectors: clustered vectors (Gaussian blobs), 1 and 4 shards, both engines:
 *  - in process: build time (batched upserts of 1,000, each logged to blob storage first), then
 *    recall@10 and queries/s at several ef values, the shards' answers merged as a query does;
 *  - through the HTTP API (the local host, fan-out over the protobuf shard-search function):
 *    build time and queries/s with 8 queries in flight, then p50/p99 one query at a time at the
 *    API's default ef beside the same query in process (issue 16: at most 2x) and beside a query
 *    the schema refuses (HTTP, the invocation and the answer, no index: the route's floor);
 *  - beside exact brute-force search in the same run: plain JS over Float32Arrays (what a
 *    filtered query falls back to) and hnswlib-node's BruteforceSearch.
 * Default sizes are modest (20,000 x 128 and 10,000 x 384) so the run takes a few minutes;
 * BENCH_VECTORS_FULL=1 runs the issue's 100,000 x 128 and 50,000 x 384 (about an hour).
 */
import { ensureDependencies } from '../local/emulators/dependencies.js';
import { BlobServiceClient } from '@azure/storage-blob';
import type { EngineName, Metric } from '../shared/vectors/engine.js';
import { loadEngine } from '../shared/vectors/engines/select.js';
import { vectorsContainer } from '../shared/vectors/layout.js';
import { shardOf } from '../shared/vectors/routing.js';
import { defaultEf, perShardK } from '../shared/vectors/fanout.js';
import { mergeTopK } from '../shared/vectors/scoring.js';
import { Shard } from '../shared/vectors/shard.js';
import { clusteredVectors } from '../test/support/vector-data.js';
import { startBenchHost } from './support/host.js';
import { ascending, percentile, timeEach } from './support/percentile.js';

const full = process.env.BENCH_VECTORS_FULL === '1';
/** BENCH_VECTORS_SIZES=50000x384,... picks the data sets (count x dimension) instead. */
const chosen = process.env.BENCH_VECTORS_SIZES?.split(',').map((size) => {
  const [count, dimension] = size.split('x').map(Number);
  if (!count || !dimension) throw new Error(`BENCH_VECTORS_SIZES: "${size}" is not <count>x<dimension>`);
  return { count, dimension };
});
const datasets =
  chosen ??
  (full
    ? [{ count: 100_000, dimension: 128 }, { count: 50_000, dimension: 384 }]
    : [{ count: 20_000, dimension: 128 }, { count: 10_000, dimension: 384 }]);
const queryCount = 200;
const efs = [16, 32, 64, 128, 256];
const metric: Metric = 'cosine';
const engines: EngineName[] = ['native', 'wasm'];

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function exactTop(data: Float32Array[], norms: Float64Array, query: Float32Array, k: number): number[] {
  let qn = 0;
  for (const v of query) qn += v * v;
  qn = Math.sqrt(qn);
  const best: Array<{ i: number; s: number }> = [];
  for (let i = 0; i < data.length; i++) {
    const row = data[i] as Float32Array;
    let dot = 0;
    for (let j = 0; j < row.length; j++) dot += (row[j] as number) * (query[j] as number);
    const s = dot / (qn * (norms[i] as number) || 1);
    if (best.length < k || s > (best[best.length - 1] as { s: number }).s) {
      best.push({ i, s });
      best.sort((a, b) => b.s - a.s);
      if (best.length > k) best.pop();
    }
  }
  return best.map((b) => b.i);
}

async function main(): Promise<void> {
  const dependencies = await ensureDependencies({ REDIS_URL: process.env.REDIS_URL }, { dataDir: '.arbor/bench', inMemory: true });
  const lines: string[] = [];
  const say = (line: string) => {
    console.log(line);
    lines.push(line);
  };
  try {
    const container = BlobServiceClient.fromConnectionString(dependencies.env.AzureWebJobsStorage as string).getContainerClient(vectorsContainer);
    await container.createIfNotExists();
    const hnswNode = (await import('hnswlib-node')).default;
    for (const { count, dimension } of datasets) {
      const raw = clusteredVectors(count + queryCount, dimension, { seed: 3, clusters: Math.round(Math.sqrt(count)), spread: 0.3 });
      const vectors = raw.slice(0, count).map((v) => Float32Array.from(v));
      const queries = raw.slice(count).map((v) => Float32Array.from(v));
      const norms = Float64Array.from(vectors, (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)));
      say(`\n## ${count.toLocaleString('en')} x ${dimension}, cosine, M 16, efConstruction 200, ${queryCount} queries, k 10`);

      let started = performance.now();
      const truth = queries.map((q) => exactTop(vectors, norms, q, 10));
      const jsExactMs = performance.now() - started;
      const brute = new hnswNode.BruteforceSearch('cosine', dimension);
      brute.initIndex(count);
      vectors.forEach((v, i) => brute.addPoint(Array.from(v), i));
      started = performance.now();
      for (const q of queries) brute.searchKnn(Array.from(q), 10);
      const nativeExactMs = performance.now() - started;
      say(`exact baseline: plain JS ${(queryCount / (jsExactMs / 1000)).toFixed(0)} q/s (${(jsExactMs / queryCount).toFixed(2)} ms/query); hnswlib-node BruteforceSearch ${(queryCount / (nativeExactMs / 1000)).toFixed(0)} q/s (${(nativeExactMs / queryCount).toFixed(2)} ms/query); recall 1.000`);
      const truthIds = truth.map((t) => new Set(t.map((i) => `v${i}`)));

      /** In-process p50 of one query at a time at the API's default ef, per engine and shard count. */
      const inProcessP50 = new Map<string, number>();
      say('| engine | shards | build (in process) | ' + efs.map((ef) => `ef ${ef}: recall / q/s`).join(' | ') + ' |');
      say('|---|---|---|' + efs.map(() => '---|').join(''));
      for (const engineName of engines) {
        const engine = await loadEngine(engineName);
        for (const shards of [1, 4]) {
          const collection = `bench-${engineName}-${shards}-${dimension}-${Date.now()}`;
          const opened = await Promise.all(
            Array.from({ length: shards }, (_, shard) => Shard.open({ collection, uid: 'bench', shard, dimension, metric, m: 16, efConstruction: 200 }, engine, container)),
          );
          started = performance.now();
          for (let start = 0; start < count; start += 1_000) {
            const parts = new Map<number, Array<{ id: string; vector: Float32Array }>>();
            for (let i = start; i < Math.min(count, start + 1_000); i++) {
              const id = `v${i}`;
              const shard = shardOf(id, shards);
              if (!parts.has(shard)) parts.set(shard, []);
              parts.get(shard)?.push({ id, vector: vectors[i] as Float32Array });
            }
            await Promise.all([...parts].map(([shard, items]) => (opened[shard] as Shard).upsert(items)));
          }
          const buildMs = performance.now() - started;
          const cells: string[] = [];
          for (const ef of efs) {
            let found = 0;
            started = performance.now();
            queries.forEach((q, qi) => {
              const lists = opened.map((s) => s.search(q, 15, Math.max(ef, 15)).hits);
              const merged = mergeTopK(metric, lists, 10);
              const wanted = truthIds[qi] as Set<string>;
              found += merged.filter((h) => wanted.has(h.id)).length;
            });
            const ms = performance.now() - started;
            cells.push(`${(found / (queryCount * 10)).toFixed(3)} / ${(queryCount / (ms / 1000)).toFixed(0)}`);
          }
          // What the API does per query at its defaults (k 10): each shard asked for perShardK(10)
          // at defaultEf, the lists merged; timed one query at a time, like the API row below.
          const perShard = perShardK(10);
          const samples = queries.map((q) => {
            const begun = performance.now();
            mergeTopK(metric, opened.map((s) => s.search(q, perShard, defaultEf(perShard)).hits), 10);
            return performance.now() - begun;
          });
          inProcessP50.set(`${engineName}-${shards}`, percentile(ascending(samples), 50));
          say(`| ${engineName} | ${shards} | ${seconds(buildMs)} | ${cells.join(' | ')} |`);
          for (const s of opened) s.dispose();
        }
      }

      if (dimension !== datasets[0]?.dimension) continue;
      // Through the HTTP API: the same data into a fresh host per engine.
      say('\nThrough the HTTP API (local host, protobuf fan-out, 8 queries in flight, default ef):');
      say('| engine | shards | build (HTTP, 500 per request) | q/s | recall@10 |');
      say('|---|---|---|---|---|');
      const latency: string[] = [];
      for (const engineName of engines) {
        const host = await startBenchHost({ ...dependencies.env, ARBOR_VECTOR_ENGINE: engineName, ARBOR_VECTOR_SNAPSHOT_SCHEDULE: '0 0 0 1 1 *' });
        try {
          for (const shards of [1, 4]) {
            const name = `bench-${engineName}-${shards}`;
            const call = async (method: string, path: string, body: unknown) => {
              const response = await fetch(`${host.url}/api/collections/${name}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
              const text = await response.text();
              if (response.status >= 300) throw new Error(`${path}: ${response.status} ${text.slice(0, 300)}`);
              return JSON.parse(text) as { results?: Array<{ id: string }> };
            };
            await call('PUT', '', { dimension, metric, shards });
            started = performance.now();
            for (let start = 0; start < count; start += 500) {
              await call('POST', '/items', { items: vectors.slice(start, start + 500).map((v, i) => ({ id: `v${start + i}`, vector: Array.from(v) })) });
            }
            const buildMs = performance.now() - started;
            let next = 0;
            let found = 0;
            started = performance.now();
            await Promise.all(
              Array.from({ length: 8 }, async () => {
                while (next < queryCount) {
                  const qi = next++;
                  const answer = await call('POST', '/query', { vector: Array.from(queries[qi] as Float32Array), k: 10 });
                  const wanted = truthIds[qi] as Set<string>;
                  found += (answer.results ?? []).filter((r) => wanted.has(r.id)).length;
                }
              }),
            );
            const ms = performance.now() - started;
            const oneAtATime = await timeEach(queryCount, async (qi) => {
              await call('POST', '/query', { vector: Array.from(queries[qi] as Float32Array), k: 10, ef: defaultEf(perShardK(10)) });
            });
            const refused = await timeEach(queryCount, async () => {
              const response = await fetch(`${host.url}/api/collections/${name}/query`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"k":0}' });
              if (response.status !== 400) throw new Error(`a refused query answered ${response.status}`);
              await response.text();
            });
            const local = inProcessP50.get(`${engineName}-${shards}`) ?? NaN;
            const apiP50 = percentile(oneAtATime, 50);
            latency.push(
              `| ${engineName} | ${shards} | ${apiP50.toFixed(2)} ms | ${percentile(oneAtATime, 99).toFixed(2)} ms | ${local.toFixed(3)} ms | ${(apiP50 / local).toFixed(1)}x | ${percentile(refused, 50).toFixed(2)} ms | ${(apiP50 - percentile(refused, 50)).toFixed(2)} ms |`,
            );
            say(`| ${engineName} | ${shards} | ${seconds(buildMs)} | ${(queryCount / (ms / 1000)).toFixed(0)} | ${(found / (queryCount * 10)).toFixed(3)} |`);
          }
        } finally {
          await host.stop();
        }
      }
      say(`\nOne query at a time, k 10, ef ${defaultEf(perShardK(10))} (the API's default), ${queryCount} queries; in process = the same search and merge on shards opened in this process; refused = POST /query with {"k":0} (400 before any index work):`);
      say('| engine | shards | API p50 | API p99 | in process p50 | ratio | refused p50 | API p50 - refused p50 |');
      say('|---|---|---|---|---|---|---|---|');
      for (const line of latency) say(line);
    }
  } finally {
    await dependencies.stop();
  }
  void lines;
}

await main();
process.exit(0);
