/**
 * bench/serving: predict through the local host beside in-process baselines in the same run.
 *  - endpoint: p50/p95/p99 of POST /api/endpoints/{name}/predict for 1 and 100 entities of a
 *    logistic model over 10 online features (1,000 entities pushed first), 300 requests each;
 *  - in-process predict(): the same call without HTTP (routing, endpoint and version caches,
 *    online read, scoring, metrics);
 *  - baseline: the same online read (readOnline, one Redis round trip) plus session.run on the
 *    same tensor, nothing else. predict() minus baseline is the cost of routing and metrics.
 *  - cold loads: the first predict of 5 fresh versions (x-arbor-model-load-ms);
 *  - memory: RSS growth per loaded session over 50 sessions of the model in this process.
 */
import { performance } from 'node:perf_hooks';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { planLookup, readOnline } from '../shared/features/online.js';
import { loadRegistry } from '../shared/features/registry.js';
import { featureStores } from '../shared/features/stores.js';
import { getServices } from '../shared/platform/services.js';
import { logisticRegressionOnnx } from '../shared/serving/onnx-writer.js';
import { predict } from '../shared/serving/predict.js';
import { runMain, withBenchHost } from './support/host.js';

const entities = 1_000;
const features = 10;
const requestsPerSize = 300;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
};

async function call(url: string, method: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, any>; headers: Headers }> {
  const response = await fetch(`${url}/api/${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const parsed = (await response.json()) as Record<string, any>;
  if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(parsed).slice(0, 500)}`);
  return { status: response.status, body: parsed, headers: response.headers };
}

runMain(async () => {
  await withBenchHost('.arbor/bench-serving', {}, async (host) => {
    const { url } = host;
    const view = 'bench_serving';
    const refs = Array.from({ length: features }, (_, f) => `${view}:f${f}`);
    await call(url, 'POST', 'features/registry', {
      entities: [{ name: 'bench_customer', joinKeys: [{ name: 'customer_id', type: 'int64' }] }],
      featureViews: [{ name: view, entity: 'bench_customer', ttlSeconds: 86_400, online: true, features: refs.map((_, f) => ({ name: `f${f}`, type: 'float64' })) }],
    });
    const now = new Date().toISOString();
    await call(url, 'POST', 'features/push', {
      view,
      rows: Array.from({ length: entities }, (_, id) => ({ customer_id: id, event_timestamp: now, ...Object.fromEntries(refs.map((_, f) => [`f${f}`, ((id * 7 + f) % 13) / 13])) })),
    });
    const weights = Array.from({ length: features }, (_, f) => (f % 2 ? 0.3 : -0.2) * (f + 1));
    const signature = { inputs: [{ name: 'features', shape: [-1, features], columns: refs.map((feature) => ({ feature })) }], outputs: [{ name: 'probability', shape: [-1, 1] }] };
    await call(url, 'PUT', 'models/bench', { task: 'binary_classification' });
    const register = async (bias: number) => {
      const onnx = logisticRegressionOnnx({ weights, bias });
      return (await call(url, 'POST', 'models/bench/versions', { artifact: { base64: Buffer.from(onnx).toString('base64') }, signature })).body.version as number;
    };
    const version = await register(0.1);
    await call(url, 'PUT', 'endpoints/bench', { variants: [{ name: 'stable', model: 'bench', version, weight: 100 }] });

    // Cold loads: a fresh version each, first predict pays the load.
    const loads: number[] = [];
    for (let i = 0; i < 5; i++) {
      const fresh = await register(0.2 + i);
      const name = `bench-cold-${i}`;
      await call(url, 'PUT', `endpoints/${name}`, { variants: [{ name: 'only', model: 'bench', version: fresh, weight: 100 }] });
      const answer = await call(url, 'POST', `endpoints/${name}/predict`, { entities: { customer_id: [1] } });
      loads.push(Number(answer.headers.get('x-arbor-model-load-ms')));
    }

    // In-process: the same stores, through the platform's services built from the host's settings.
    Object.assign(process.env, host.env);
    const services = getServices();
    const session = await InferenceSession.create(logisticRegressionOnnx({ weights, bias: 0.1 }));
    const registry = await loadRegistry(services);
    const plans = planLookup(registry, refs);
    const online = featureStores(services).online;

    let seed = 1;
    const pick = (n: number) => Array.from({ length: n }, () => (seed = (seed * 48_271) % 2_147_483_647) % entities);
    const rows: string[] = [];
    for (const size of [1, 100]) {
      const viaHttp: number[] = [];
      const inProcess: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < requestsPerSize; i++) {
        const ids = pick(size);
        let started = performance.now();
        const answer = await call(url, 'POST', 'endpoints/bench/predict', { entities: { customer_id: ids }, requestKey: `k${i}` });
        viaHttp.push(performance.now() - started);
        if (answer.body.predictions.length !== size) throw new Error('wrong answer size');

        started = performance.now();
        const direct = await predict(services, 'bench', { entities: { customer_id: ids }, requestKey: `k${i}` });
        inProcess.push(performance.now() - started);
        if (direct.answer.predictions.length !== size) throw new Error('wrong answer size');

        started = performance.now();
        const read = await readOnline(online, plans, refs, ids.map((id) => ({ customer_id: id })), new Date());
        const data = new Float32Array(size * features);
        read.forEach((row, r) => refs.forEach((ref, j) => (data[r * features + j] = Number(row.values[ref] ?? 0))));
        const out = await session.run({ features: new Tensor('float32', data, [size, features]) });
        baseline.push(performance.now() - started);
        if (out.probability?.data.length !== size) throw new Error('baseline answered the wrong size');
      }
      const h = summary(viaHttp);
      const p = summary(inProcess);
      const b = summary(baseline);
      rows.push(
        `| ${String(size).padStart(3)} | ${fmt(h.p50)} | ${fmt(h.p95)} | ${fmt(h.p99)} | ${fmt(p.p50)} | ${fmt(p.p99)} | ${fmt(b.p50)} | ${fmt(b.p99)} | ${fmt(p.p50 - b.p50)} |`,
      );
      console.log(rows.at(-1));
    }

    // Memory: RSS growth per session, 50 sessions of the same model held at once.
    const onnx = logisticRegressionOnnx({ weights, bias: 0.1 });
    global.gc?.();
    const before = process.memoryUsage().rss;
    const held: InferenceSession[] = [];
    for (let i = 0; i < 50; i++) held.push(await InferenceSession.create(onnx));
    const perSession = (process.memoryUsage().rss - before) / held.length;
    await Promise.all(held.map((s) => s.release()));

    const sortedLoads = [...loads].sort((a, b) => a - b);
    console.log('\n| entities | endpoint p50 | endpoint p95 | endpoint p99 | predict() p50 | predict() p99 | read + run p50 | read + run p99 | routing + metrics (p50) |');
    console.log('|---|---|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log(`\ncold loads (5 versions, ${onnx.length}-byte file): ${sortedLoads.map((ms) => fmt(ms)).join(', ')}`);
    console.log(`memory per loaded session: ${(perSession / 1024).toFixed(0)} KiB RSS (50 sessions of a ${features}-feature logistic model)`);
    await session.release();
  });
});
