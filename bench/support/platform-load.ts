/**
 * What the load benchmarks (bench/instances, bench/memory) do to a running platform: calls with
 * the status checked, a feature view and a vector collection to read, and the RSS of a process.
 */
import { readFileSync } from 'node:fs';
import { clusteredVectors } from '../../test/support/vector-data.js';

export interface Answer {
  status: number;
  // The benchmarks read a few known fields of many different answers; a schema per route would
  // add nothing a wrong status does not already catch.
  body: any;
  instance: string | null;
}

export async function call(url: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${url}/api/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, instance: response.headers.get('x-arbor-instance') };
}

export async function ok(url: string, method: string, path: string, body?: unknown, expected = [200, 201, 202]): Promise<Answer['body']> {
  const answer = await call(url, method, path, body);
  if (!expected.includes(answer.status)) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 400)}`);
  return answer.body;
}

/** Resident set size of a process, in MB, from /proc. */
export function rssMb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
}

export const featureEntities = 1_000;

/** Registers one view of 10 float64 features over `featureEntities` drivers and pushes a row for each; returns the feature refs. */
export async function seedFeatures(url: string): Promise<string[]> {
  await ok(url, 'POST', 'features/registry', {
    entities: [{ name: 'bench_driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
    featureViews: [{ name: 'bench_view', entity: 'bench_driver', ttlSeconds: 86_400, online: true, features: Array.from({ length: 10 }, (_, f) => ({ name: `f${f}`, type: 'float64' })) }],
  });
  // Pushed until accepted: behind the front door another instance may still hold the registry from before the view (5 s refresh).
  for (let tries = 0; (await call(url, 'POST', 'features/push', { view: 'bench_view', rows: featureRows(0) })).status !== 200; tries++) {
    if (tries > 50) throw new Error('features/push kept failing');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return Array.from({ length: 10 }, (_, f) => `bench_view:f${f}`);
}

/** A row per entity of bench_view, every value shifted by `shift` (so a later push changes them). */
export function featureRows(shift: number): Array<Record<string, number | string>> {
  const now = new Date().toISOString();
  return Array.from({ length: featureEntities }, (_, id) => ({ driver_id: id, event_timestamp: now, ...Object.fromEntries(Array.from({ length: 10 }, (_, f) => [`f${f}`, id + f / 10 + shift])) }));
}

/** The 10 entity ids the i-th lookup asks for. */
export const lookupIds = (i: number): number[] => Array.from({ length: 10 }, (_, k) => (i * 7 + k * 97) % featureEntities);

/** Creates collection `name` (count x dimension, cosine) and upserts clustered vectors in batches of 1,000; returns 200 query vectors. */
export async function seedVectors(url: string, name: string, count: number, dimension: number, shards: number): Promise<number[][]> {
  const data = clusteredVectors(count + 200, dimension, { seed: 5, clusters: 100, spread: 0.3 });
  await ok(url, 'PUT', `collections/${name}`, { dimension, metric: 'cosine', shards });
  for (let start = 0; start < count; start += 1_000) {
    await ok(url, 'POST', `collections/${name}/items`, { items: data.slice(start, start + 1_000).map((vector, k) => ({ id: `v${start + k}`, vector })) });
  }
  return data.slice(count);
}
