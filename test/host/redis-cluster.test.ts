import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonApi } from '../support/json-api.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { startTestRedisCluster, type TestRedisCluster } from '../support/redis-cluster.js';

const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const unique = (prefix: string) => uniqueName(prefix, '_');

/**
 * The app on a real Redis Cluster (three masters on loopback), configured as in Azure with
 * the OSS clustering policy: REDIS_CLUSTER=true and REDIS_URL naming one node. The online
 * store's entity hashes spread over every master; RAG's keyword index lives in one slot per
 * collection. Today's code before issue 15 item 6 failed both (cross-slot pipelines and MULTI).
 */
describe('the local host on a Redis Cluster (REDIS_CLUSTER=true)', () => {
  let cluster: TestRedisCluster;
  let host: HostProcess;
  let raw: Cluster;
  const call = jsonApi(() => host);
  const collection = uniqueName('docs');

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    raw = new Cluster([{ host: '127.0.0.1', port: cluster.ports[0] as number }]);
    host = await startHostProcess({ REDIS_URL: cluster.url, REDIS_CLUSTER: 'true', ARBOR_RAG_COLLECTION: collection });
  });
  afterAll(async () => {
    await host?.stop();
    raw?.disconnect();
    await cluster?.stop();
  });

  it('reports Redis healthy', async () => {
    const health = await call('GET', 'health');
    expect(JSON.stringify(health.body)).toContain('redis');
    expect(health.status, health.text).toBe(200);
  });

  it('registers views, pushes 100 entities and reads them online, from every master', async () => {
    const driver = unique('driver');
    const stats = unique('driver_stats');
    const profile = unique('driver_profile');
    const applied = await call('POST', 'features/registry', {
      entities: [{ name: driver, joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      featureViews: [
        { name: stats, entity: driver, ttlSeconds: 3 * 86_400, online: true, features: [{ name: 'trips', type: 'int64' }, { name: 'rating', type: 'float64' }] },
        { name: profile, entity: driver, ttlSeconds: 0, online: true, features: [{ name: 'city', type: 'string' }] },
      ],
    });
    expect(applied.status, applied.text).toBe(200);
    const ids = Array.from({ length: 100 }, (_, i) => i + 1);
    const now = Date.now();
    const pushed = await call('POST', 'features/push', { view: stats, rows: ids.map((id) => ({ driver_id: id, event_timestamp: iso(now - 60_000), trips: id, rating: id / 10 })) });
    expect(pushed.status, pushed.text).toBe(200);
    expect(pushed.body.online).toEqual({ written: 100, older: 0 });
    const late = await call('POST', 'features/push', { view: stats, rows: [{ driver_id: 1, event_timestamp: iso(now - day), trips: 0 }] });
    expect(late.body.online).toEqual({ written: 0, older: 1 });
    await call('POST', 'features/push', { view: profile, rows: ids.filter((id) => id <= 50).map((id) => ({ driver_id: id, event_timestamp: iso(now), city: `c${id}` })) });

    const features = [`${stats}:trips`, `${stats}:rating`, `${profile}:city`];
    const read = await call('POST', 'features/online', { features, entities: { driver_id: [...ids, 1000] } });
    expect(read.status, read.text).toBe(200);
    expect(read.body.results).toHaveLength(101);
    ids.forEach((id, i) => {
      expect(read.body.results[i].values).toEqual({ [`${stats}:trips`]: id, [`${stats}:rating`]: id / 10, [`${profile}:city`]: id <= 50 ? `c${id}` : null });
    });
    expect(Object.values(read.body.results[100].status)).toEqual(['missing', 'missing', 'missing']);

    // The entity hashes really lie on every master (so the reads crossed nodes).
    const perMaster = await Promise.all(
      raw.nodes('master').map(async (node) => (await node.scan('0', 'MATCH', `${host.redisPrefix}f:*`, 'COUNT', 10_000))[1].length),
    );
    expect(perMaster.every((count) => count > 0), JSON.stringify(perMaster)).toBe(true);
  });

  it('ingests RAG documents, answers from the keyword index, and forgets the collection on every master', async () => {
    const created = await call('POST', 'rag/documents', { id: 'online-store', text: '# Online store\n\nArbor keeps online features in Redis hashes, one per entity key.' });
    expect(created.status, created.text).toBe(201);
    const second = await call('POST', 'rag/documents', { id: 'dashboards', text: '# Dashboards\n\nGrafana shows the p99 latency of every function.' });
    expect(second.status, second.text).toBe(201);
    const answer = await call('POST', 'rag/ask', { question: 'Which tool shows the p99 latency of every function?', retrieval: 'keyword' });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.citations[0]?.documentId, answer.text).toBe('dashboards');
    const hybrid = await call('POST', 'rag/ask', { question: 'Where does Arbor keep online features, one per entity key?' });
    expect(hybrid.body.citations[0]?.documentId, hybrid.text).toBe('online-store');

    const removed = await call('DELETE', 'rag/documents/dashboards');
    expect(removed.status, removed.text).toBe(200);
    const after = await call('POST', 'rag/ask', { question: 'Which tool shows the p99 latency of every function?', retrieval: 'keyword' });
    expect((after.body.citations ?? []).map((c: { documentId: string }) => c.documentId)).not.toContain('dashboards');

    const ragKeys = async () =>
      (await Promise.all(raw.nodes('master').map(async (node) => (await node.scan('0', 'MATCH', `${host.redisPrefix}r:*${collection}*`, 'COUNT', 10_000))[1]))).flat();
    expect((await ragKeys()).length).toBeGreaterThan(0);
    const dropped = await call('DELETE', `collections/${collection}`);
    expect(dropped.status, dropped.text).toBe(200);
    expect(await ragKeys()).toEqual([]);
  });
});
