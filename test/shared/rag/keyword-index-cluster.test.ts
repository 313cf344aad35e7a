import { randomBytes } from 'node:crypto';
import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPayloads, removePayloads, writePayloads, type ChunkPayload } from '../../../shared/rag/chunk-payloads.js';
import { indexChunks, removeChunks, searchKeywords, termStatistics } from '../../../shared/rag/keyword-index.js';
import { terms } from '../../../shared/rag/text.js';
import { createRedis } from '../../../shared/storage/redis.js';
import { startTestRedisCluster, type TestRedisCluster } from '../../support/redis-cluster.js';

/**
 * The keyword index on a real Redis Cluster (three masters on loopback), as the app uses it
 * with REDIS_CLUSTER=true: a cluster refuses a transaction or script whose keys lie in several
 * hash slots (CROSSSLOT), so every key of one collection's index must share a slot.
 */
describe('the BM25 keyword index on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let redis: Cluster;
  const collection = `kw-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    redis = createRedis({ url: cluster.url, keyPrefix: 'arbor-test:', cluster: true }) as Cluster;
  });
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('indexes, ranks, removes and keeps exact statistics with its keys spread over no more than one slot', async () => {
    // Many distinct terms: untagged keys would land in slots on every master.
    const chunks = Array.from({ length: 30 }, (_, c) => ({ id: `c${c}`, text: `shared cluster words ${Array.from({ length: 40 }, (_, w) => `zq${c}x${w}`).join(' ')}` }));
    chunks.push({ id: 'grafana', text: 'Grafana dashboards show latency.' });
    await indexChunks(redis, collection, chunks);

    const hits = await searchKeywords(redis, collection, 'grafana latency', 10);
    expect(hits.map((h) => h.id)).toEqual(['grafana']);
    expect((await searchKeywords(redis, collection, 'zq7x3 shared', 3))[0]?.id).toBe('c7');
    const stats = await termStatistics(redis, collection, terms('shared grafana nowhere'));
    expect(stats).toEqual({ chunks: 31, documentFrequency: [30, 1, 0] });

    await removeChunks(redis, collection, ['grafana', 'c0', 'missing']);
    expect(await searchKeywords(redis, collection, 'grafana', 10)).toEqual([]);
    expect(await termStatistics(redis, collection, terms('shared'))).toEqual({ chunks: 29, documentFrequency: [29] });

    // Every key the index wrote is in one slot, on one master.
    const slots = new Set<number>();
    for (const node of redis.nodes('master')) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `arbor-test:*${collection}*`, 'COUNT', 1_000);
        cursor = next;
        for (const key of keys) slots.add(Number(await node.cluster('KEYSLOT', key)));
      } while (cursor !== '0');
    }
    expect(slots.size).toBe(1);
  });

  it('stores and reads chunk payloads', async () => {
    const payload: ChunkPayload = { documentId: 'd', title: 'T', index: 0, text: 'hello' };
    await writePayloads(redis, collection, new Map([['a', payload], ['b', { ...payload, index: 1 }]]));
    expect([...(await readPayloads(redis, collection, ['a', 'b', 'none'])).keys()]).toEqual(['a', 'b']);
    await removePayloads(redis, collection, ['a']);
    expect([...(await readPayloads(redis, collection, ['a', 'b'])).keys()]).toEqual(['b']);
  });
});
