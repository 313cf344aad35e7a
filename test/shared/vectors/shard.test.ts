import type { ContainerClient } from '@azure/storage-blob';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineName, VectorEngine } from '../../../shared/vectors/engine.js';
import { loadEngine, nativeUnavailableReason } from '../../../shared/vectors/engines/select.js';
import { latestSnapshotPath, logPrefix, vectorsContainer } from '../../../shared/vectors/layout.js';
import { Shard, type ShardConfig } from '../../../shared/vectors/shard.js';
import { blobClient } from '../../support/clients.js';
import { uniqueName } from '../../support/host-process.js';
import { bruteForce, clusteredVectors, recallAt } from '../../support/vector-data.js';

/**
 * One contract suite, run against both engines. The native engine is skipped only when its
 * addon is absent here (the reason is printed); the wasm engine always runs.
 */
const nativeMissing = await nativeUnavailableReason();
if (nativeMissing) console.warn(`hnswlib-node is unavailable, native engine tests skipped: ${nativeMissing}`);

const dimension = 24;
const data = clusteredVectors(2_000, dimension, { seed: 7 }).map((vector, i) => ({ id: `v${i}`, vector, metadata: { n: i, parity: i % 2 ? 'odd' : 'even', rare: i % 100 === 0 } }));
const queries = clusteredVectors(40, dimension, { seed: 7 }).map((_, i) => (data[(i * 37) % data.length] as (typeof data)[number]).vector.map((v, j) => v + ((i + j) % 3) * 0.01));

describe.each<EngineName>(['native', 'wasm'])('a shard on the %s engine', (engineName) => {
  let engine: VectorEngine;
  let container: ContainerClient;

  beforeAll(async () => {
    if (engineName === 'native' && nativeMissing) return;
    engine = await loadEngine(engineName);
    container = blobClient().getContainerClient(vectorsContainer);
    await container.createIfNotExists();
  });

  const config = (metric: ShardConfig['metric'] = 'cosine'): ShardConfig => ({ collection: uniqueName('shard'), uid: 'u1', shard: 0, dimension, metric, m: 16, efConstruction: 100 });
  const items = (slice: typeof data) => slice.map(({ id, vector, metadata }) => ({ id, vector: Float32Array.from(vector), metadata }));
  const run = engineName === 'native' && nativeMissing ? it.skip : it;

  run('finds the top 10 best first with recall >= 0.95 (HNSW), and exact search finds the exact top 10 in order, for each metric', async () => {
    for (const metric of ['cosine', 'l2', 'ip'] as const) {
      const shard = await Shard.open(config(metric), engine, container);
      for (let start = 0; start < data.length; start += 500) await shard.upsert(items(data.slice(start, start + 500)));
      let recall = 0;
      for (const query of queries) {
        const hits = shard.search(Float32Array.from(query), 10, 64).hits;
        // Approximate, so judged by recall; but what it returns is ordered best first for the metric.
        const scores = hits.map((h) => h.score);
        expect(scores, metric).toEqual([...scores].sort((a, b) => (metric === 'l2' ? a - b : b - a)));
        recall += recallAt(bruteForce(metric, data, query, 10), hits.map((h) => h.id));
      }
      expect(recall / queries.length, metric).toBeGreaterThanOrEqual(0.95);
      // Exact search is exact: the brute-force top 10, in the same order.
      for (const query of queries.slice(0, 10)) {
        expect(shard.exact(Float32Array.from(query), 10).map((h) => h.id), metric).toEqual(bruteForce(metric, data, query, 10));
      }
    }
  });

  run('replaces on upsert, hides deletes, and survives a reopen by log replay alone', async () => {
    const cfg = config();
    const shard = await Shard.open(cfg, engine, container);
    await shard.upsert(items(data.slice(0, 300)));
    const target = data[10] as (typeof data)[number];
    // v10 moves to where v200 is; a query at v10's old place must no longer find it first.
    await shard.upsert([{ id: target.id, vector: Float32Array.from((data[200] as (typeof data)[number]).vector), metadata: { moved: true } }]);
    expect(shard.search(Float32Array.from(target.vector), 1, 64).hits[0]?.id).not.toBe(target.id);
    const near200 = shard.search(Float32Array.from((data[200] as (typeof data)[number]).vector), 2, 64).hits.map((h) => h.id);
    expect(near200).toContain(target.id);
    expect(await shard.delete(['v5', 'nope'])).toEqual(['v5']);
    expect(shard.search(Float32Array.from((data[5] as (typeof data)[number]).vector), 5, 64).hits.map((h) => h.id)).not.toContain('v5');
    expect(shard.live).toBe(299);

    const reopened = await Shard.open(cfg, engine, container);
    expect(reopened.live).toBe(299);
    expect(reopened.has('v5')).toBe(false);
    const hit = reopened.search(Float32Array.from((data[200] as (typeof data)[number]).vector), 2, 64).hits.find((h) => h.id === target.id);
    expect(hit?.metadata).toEqual({ moved: true });
    expect(reopened.stats().logRecords).toBe(3);
  });

  run('returns only filter matches, k of them when k exist, exactly for narrow filters', async () => {
    const shard = await Shard.open(config(), engine, container);
    await shard.upsert(items(data));
    const query = Float32Array.from(queries[0] as number[]);
    const rare = shard.search(query, 10, 64, { rare: true });
    expect(rare.exact).toBe(true);
    expect(rare.hits).toHaveLength(10);
    expect(rare.hits.every((h) => h.metadata?.rare === true)).toBe(true);
    const odd = shard.search(query, 10, 64, { parity: 'odd', n: { gte: 100, lt: 1_900 } });
    expect(odd.hits).toHaveLength(10);
    for (const hit of odd.hits) {
      expect(hit.metadata?.parity).toBe('odd');
      expect(hit.metadata?.n as number).toBeGreaterThanOrEqual(100);
      expect(hit.metadata?.n as number).toBeLessThan(1_900);
    }
    const wanted = bruteForce('cosine', data.filter((d) => d.metadata.parity === 'odd' && d.metadata.n >= 100 && d.metadata.n < 1_900), queries[0] as number[], 10);
    expect(recallAt(wanted, odd.hits.map((h) => h.id))).toBeGreaterThanOrEqual(0.9);
    expect(shard.search(query, 10, 64, { parity: { in: ['none'] } }).hits).toEqual([]);
  });

  run('snapshots, trims the log, rebuilds when tombstones pile up, and reopens from the snapshot', async () => {
    const cfg = config();
    const shard = await Shard.open(cfg, engine, container);
    await shard.upsert(items(data.slice(0, 1_000)));
    await shard.delete(data.slice(0, 400).map((d) => d.id));
    const outcome = await shard.snapshotNow({ rebuildRatio: 0.2 });
    expect(outcome).toMatchObject({ written: true, rebuilt: true });
    expect(shard.tombstones).toBe(0);
    expect(outcome.recall).toBeGreaterThanOrEqual(0.9);
    expect((await shard.snapshotNow({ rebuildRatio: 0.2 })).written).toBe(false);
    const ref = { collection: cfg.collection, uid: cfg.uid, shard: 0 };
    const logs: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: logPrefix(ref) })) logs.push(blob.name);
    // The sealed segment the snapshot covers stays one snapshot longer, for copies on other
    // instances to follow the seal (test/shared/vectors/shard-instances.test.ts).
    expect(logs.map((name) => name.split('/').pop())).toEqual(['00000000.jsonl']);
    await shard.upsert(items(data.slice(1_000, 1_010)));

    const reopened = await Shard.open(cfg, engine, container);
    expect(reopened.live).toBe(610);
    expect(reopened.stats()).toMatchObject({ logRecords: 1, lastSnapshot: { engine: engineName } });
    const probe = data[700] as (typeof data)[number];
    expect(reopened.search(Float32Array.from(probe.vector), 1, 64).hits[0]?.id).toBe(probe.id);
    expect(reopened.has('v3')).toBe(false);
    expect(JSON.parse((await container.getBlobClient(latestSnapshotPath(ref)).downloadToBuffer()).toString())).toMatchObject({ engine: engineName, live: 600 });
  });
});

describe('snapshots across engines', () => {
  it.skipIf(Boolean(nativeMissing))('a snapshot written by one engine is rebuilt from its raw vectors by the other', async () => {
    const container = blobClient().getContainerClient(vectorsContainer);
    await container.createIfNotExists();
    const cfg: ShardConfig = { collection: uniqueName('cross'), uid: 'u1', shard: 0, dimension, metric: 'l2', m: 16, efConstruction: 100 };
    const native = await Shard.open(cfg, await loadEngine('native'), container);
    await native.upsert(data.slice(0, 500).map(({ id, vector }) => ({ id, vector: Float32Array.from(vector) })));
    await native.snapshotNow({ rebuildRatio: 0.2 });
    const wasm = await Shard.open(cfg, await loadEngine('wasm'), container);
    expect(wasm.live).toBe(500);
    expect(wasm.stats().engine).toBe('wasm');
    for (const probe of data.slice(0, 500).filter((_, i) => i % 50 === 0)) {
      expect(wasm.search(Float32Array.from(probe.vector), 1, 64).hits[0]?.id).toBe(probe.id);
    }
  });
});
