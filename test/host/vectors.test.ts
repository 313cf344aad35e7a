import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeUnavailableReason } from '../../shared/vectors/engines/select.js';
import { logPrefix, vectorsContainer } from '../../shared/vectors/layout.js';
import { shardOf } from '../../shared/vectors/routing.js';
import { create, toBinary } from '@bufbuild/protobuf';
import { ShardSearchRequestSchema } from '../../shared/platform/generated/arbor/vectors/v1/shard_search_pb.js';
import { protobufContentType } from '../../shared/vectors/shard-search-request.js';
import { blobClient } from '../support/clients.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { bruteForce, clusteredVectors, recallAt } from '../support/vector-data.js';
import { vectorsApi } from '../support/vectors-api.js';

const nativeMissing = await nativeUnavailableReason();
if (nativeMissing) console.warn(`hnswlib-node is unavailable, native engine host tests skipped: ${nativeMissing}`);

const dimension = 16;
const data = clusteredVectors(2_000, dimension, { seed: 11 }).map((vector, i) => ({
  id: `doc-${i}`,
  vector,
  metadata: { color: ['red', 'green', 'blue'][i % 3] as string, year: 2000 + (i % 30), rare: i % 150 === 0 },
}));
const queries = Array.from({ length: 30 }, (_, i) => (data[(i * 61) % data.length] as (typeof data)[number]).vector.map((v, j) => v + ((i * j) % 5) * 0.02));

describe.each(['native', 'wasm'] as const)('vector collections through the local host (%s engine)', (engine) => {
  let host: HostProcess;
  let api: ReturnType<typeof vectorsApi>;
  const skip = engine === 'native' && Boolean(nativeMissing);
  const run = skip ? it.skip : it;

  beforeAll(async () => {
    if (skip) return;
    host = await startHostProcess({ ARBOR_VECTOR_ENGINE: engine, ARBOR_VECTOR_SNAPSHOT_SCHEDULE: '0 0 0 1 1 *' });
    api = vectorsApi(host);
  });
  afterAll(async () => {
    await host?.stop();
  });

  run('answers the top 10 best first with recall >= 0.95 (HNSW is approximate) for 1 shard and for 4 shards, fanned out over protobuf', async () => {
    for (const shards of [1, 4]) {
      const name = uniqueName('recall');
      expect((await api.create(name, { dimension, metric: 'cosine', shards })).status).toBe(201);
      await api.upsertAll(name, data);
      let recall = 0;
      for (const query of queries) {
        const answer = await api.query(name, { vector: query, k: 10 });
        expect(answer.partial).toBe(false);
        expect(answer.shards).toEqual({ asked: shards, answered: shards });
        expect(answer.results).toHaveLength(10);
        // Best first: cosine similarity descending.
        const scores = answer.results.map((r) => r.score);
        expect([...scores].sort((a, b) => b - a)).toEqual(scores);
        recall += recallAt(bruteForce('cosine', data, query, 10), answer.results.map((r) => r.id));
      }
      expect(recall / queries.length, `${shards} shard(s)`).toBeGreaterThanOrEqual(0.95);
      const described = await api.describe(name);
      expect(described).toMatchObject({ items: data.length, engine });
      expect(described.shardStats).toHaveLength(shards);
      for (const stats of described.shardStats) {
        expect(stats.items).toBe(data.filter((d) => shardOf(d.id, shards) === stats.shard).length);
      }
    }
    const metrics = await (await fetch(`${host.url}/api/metrics`)).text();
    expect(metrics).toMatch(/arbor_vector_query_duration_seconds_count\{collection="recall-[0-9a-f]+"\} 30/);
    expect(metrics).toMatch(/arbor_vector_shard_items\{collection="recall-[0-9a-f]+",shard="3"\} \d+/);
  });

  run('replaces on upsert, hides deleted items, and filters return only matches, k when k exist', async () => {
    const name = uniqueName('crud');
    await api.create(name, { dimension, metric: 'l2', shards: 3 });
    await api.upsertAll(name, data);
    const moved = data[7] as (typeof data)[number];
    const target = data[1_500] as (typeof data)[number];
    await api.upsert(name, [{ id: moved.id, vector: target.vector, metadata: { color: 'gold' } }]);
    const near = await api.query(name, { vector: target.vector, k: 2 });
    expect(near.results.map((r) => r.id).sort()).toEqual([moved.id, target.id].sort());
    expect(near.results[0]?.score).toBeCloseTo(0, 5);
    expect(near.results.find((r) => r.id === moved.id)?.metadata).toEqual({ color: 'gold' });
    expect((await api.query(name, { vector: moved.vector, k: 5 })).results.map((r) => r.id)).not.toContain(moved.id);

    expect((await api.remove(name, target.id)).status).toBe(200);
    expect((await api.remove(name, target.id)).status).toBe(404);
    expect((await api.query(name, { vector: target.vector, k: 5 })).results.map((r) => r.id)).not.toContain(target.id);
    expect((await api.describe(name)).items).toBe(data.length - 1);

    const narrow = await api.query(name, { vector: queries[0], k: 10, filter: { rare: true } });
    expect(narrow.results).toHaveLength(10);
    expect(narrow.results.every((r) => r.metadata?.rare === true)).toBe(true);
    const ranged = await api.query(name, { vector: queries[1], k: 10, filter: { color: { in: ['red', 'blue'] }, year: { gte: 2010, lt: 2020 } } });
    expect(ranged.results).toHaveLength(10);
    for (const r of ranged.results) {
      expect(['red', 'blue']).toContain(r.metadata?.color);
      expect(r.metadata?.year as number).toBeGreaterThanOrEqual(2010);
      expect(r.metadata?.year as number).toBeLessThan(2020);
    }
    const eligible = data.filter((d) => d.id !== target.id && d.id !== moved.id && ['red', 'blue'].includes(d.metadata.color) && d.metadata.year >= 2010 && d.metadata.year < 2020);
    const truth = bruteForce('l2', eligible, queries[1] as number[], 10);
    expect(recallAt(truth, ranged.results.map((r) => r.id))).toBeGreaterThanOrEqual(0.9);
    // Fewer than k match: every one of them, and nothing else.
    const few = await api.query(name, { vector: queries[2], k: 50, filter: { rare: true, year: { lte: 2000 } } });
    const matching = data.filter((d) => d.metadata.rare && d.metadata.year <= 2000 && d.id !== moved.id && d.id !== target.id);
    expect(matching.length).toBeLessThan(50);
    expect(few.results.map((r) => r.id).sort()).toEqual(matching.map((d) => d.id).sort());
  });

  run('refuses bad input with a 400 naming the field and problem, and changes nothing', async () => {
    const name = uniqueName('bad');
    await api.create(name, { dimension: 4, metric: 'cosine', shards: 2 });
    await api.upsert(name, [{ id: 'keep', vector: [1, 0, 0, 0] }]);
    const post = (text: string) => fetch(`${host.url}/api/collections/${name}/items`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
    const cases: Array<[string, string, RegExp]> = [
      ['{"items":[{"id":"a","vector":[1,2,3]}]}', 'items[0].vector', /4 numbers/],
      ['{"items":[{"id":"a","vector":[1,2,3,1e999]}]}', 'items[0].vector[3]', /finite|number/i],
      ['{"items":[{"id":"a","vector":[1,2,3,4]},{"id":"a","vector":[4,3,2,1]}]}', 'items[1].id', /duplicates/],
      [JSON.stringify({ items: Array.from({ length: 1_001 }, (_, i) => ({ id: `x${i}`, vector: [1, 2, 3, 4] })) }), 'items', /at most 1000/],
      [JSON.stringify({ items: [{ id: 'a', vector: [1, 2, 3, 4], metadata: { text: 'x'.repeat(5_000) } }] }), 'items[0].metadata', /larger than 4096 bytes/],
      ['{"items":[{"id":"a","vector":[1,2,3,4],"metadata":{"nested":{"x":1}}}]}', 'items[0].metadata.nested', /./],
    ];
    for (const [body, field, problem] of cases) {
      const response = await post(body);
      expect(response.status, body.slice(0, 80)).toBe(400);
      const error = ((await response.json()) as { error: { code: string; details: Array<{ field: string; problem: string }> } }).error;
      const detail = error.details.find((d) => d.field === field);
      expect(detail, `${field} in ${JSON.stringify(error.details)}`).toBeDefined();
      expect(detail?.problem).toMatch(problem);
    }
    const badQuery = await api.call('POST', `collections/${name}/query`, { vector: [1, 2], k: 0 });
    expect(badQuery.status).toBe(400);
    const fields = ((await badQuery.json()) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['vector', 'k']));
    expect((await api.create(name, { dimension: 5, metric: 'cosine', shards: 2 })).status).toBe(409);
    expect((await api.create('Bad Name', { dimension: 4, metric: 'cosine', shards: 2 })).status).toBe(400);

    // Nothing was written: one item, and nothing but its write in the logs.
    expect((await api.describe(name)).items).toBe(1);
    expect((await api.query(name, { vector: [1, 2, 3, 4], k: 10 })).results.map((r) => r.id)).toEqual(['keep']);
    expect((await api.describe(name)).shardStats.reduce((sum, s) => sum + s.logRecords, 0)).toBe(1);
    expect((await api.call('POST', `collections/${uniqueName('missing')}/items`, { items: [] })).status).toBe(404);
  });

  run('refuses a shard-search call with a filter that is not JSON with a 400 naming the filter', async () => {
    const name = uniqueName('shardbad');
    await api.create(name, { dimension: 4, metric: 'cosine', shards: 2 });
    const search = (filterJson: string) =>
      fetch(`${host.url}/api/collections/${name}/shards/0/search`, {
        method: 'POST',
        headers: { 'content-type': protobufContentType },
        body: toBinary(ShardSearchRequestSchema, create(ShardSearchRequestSchema, { vector: [1, 0, 0, 0], k: 5, ef: 0, filterJson, collectionUid: '' })),
      });
    for (const [filterJson, field] of [['{"color": ', 'filter'], ['{"color": {"$near": 1}}', 'filter.color']] as const) {
      const response = await search(filterJson);
      expect(response.status, filterJson).toBe(400);
      const error = ((await response.json()) as { error: { details: Array<{ field: string; problem: string }> } }).error;
      expect(error.details.map((d) => d.field), filterJson).toContain(field);
    }
    expect((await search('{"color": "red"}')).status).toBe(200);
  });

  run('flags a shard that fails as a partial answer naming it, with the other shards\' results', async () => {
    const name = uniqueName('partial');
    await api.create(name, { dimension, metric: 'cosine', shards: 2 });
    const { collections } = (await (await api.call('GET', 'collections')).json()) as { collections: Array<{ name: string; uid: string }> };
    const uid = collections.find((c) => c.name === name)?.uid as string;
    // A corrupt log for shard 1, before anything has loaded it: that shard cannot open.
    const container = blobClient().getContainerClient(vectorsContainer);
    await container.createIfNotExists();
    const broken = container.getAppendBlobClient(`${logPrefix({ collection: name, uid, shard: 1 })}00000000.jsonl`);
    await broken.create();
    await broken.appendBlock(Buffer.from('not a log record\n'), 17);
    const zeroItems = data.filter((d) => shardOf(d.id, 2) === 0).slice(0, 50);
    await api.upsert(name, zeroItems);
    const answer = await api.query(name, { vector: (zeroItems[0] as (typeof data)[number]).vector, k: 5 });
    expect(answer.partial).toBe(true);
    expect(answer.shards).toMatchObject({ asked: 2, answered: 1, failed: [{ shard: 1 }] });
    expect(answer.results[0]?.id).toBe(zeroItems[0]?.id);
    expect((await api.call('DELETE', `collections/${name}`)).status).toBe(200);
    expect((await api.call('GET', `collections/${name}`)).status).toBe(404);
  });
});
