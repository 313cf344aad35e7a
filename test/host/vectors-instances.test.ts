import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { clusteredVectors } from '../support/vector-data.js';
import { vectorsApi } from '../support/vectors-api.js';

const dimension = 12;
const data = clusteredVectors(300, dimension, { seed: 9 }).map((vector, i) => ({ id: `item-${i}`, vector, metadata: { i } }));

/** Two instances of one app on one storage account and database, as Azure scales out. */
describe('two instances serving one collection', () => {
  let first: HostProcess;
  let second: HostProcess;
  const name = uniqueName('shared');
  const top = async (host: HostProcess, i: number, collection = name) => (await vectorsApi(host).query(collection, { vector: (data[i] as (typeof data)[number]).vector, k: 1 })).results[0]?.id;

  beforeAll(async () => {
    const settings = { ARBOR_VECTOR_SNAPSHOT_SCHEDULE: '0 0 0 1 1 *' };
    first = await startHostProcess(settings);
    second = await startHostProcess({ ...settings, COSMOS_DATABASE: first.database, REDIS_KEY_PREFIX: first.redisPrefix });
  });
  afterAll(async () => {
    await Promise.all([first?.stop(), second?.stop()]);
  });

  it('each serves the other’s writes, across the other’s snapshots', async () => {
    expect((await vectorsApi(first).create(name, { dimension, metric: 'cosine', shards: 2 })).status).toBe(201);
    await vectorsApi(first).upsert(name, data.slice(0, 100));
    expect(await top(second, 50)).toBe('item-50');
    // The second instance writes; the first serves it once it syncs (within a second).
    await vectorsApi(second).upsert(name, data.slice(100, 200));
    await eventually(async () => ((await top(first, 150)) === 'item-150' ? true : undefined), 10_000, 200);
    // While another instance holds a shard's snapshot lock, a snapshot skips that shard and says so.
    const { uid } = (await vectorsApi(first).describe(name)) as unknown as { uid: string };
    const redis = redisClient();
    const lock = `${first.redisPrefix}vectors:snapshot:${name}/${uid}/0`;
    await redis.set(lock, 'another-instance', 'PX', 60_000);
    const blocked = (await (await vectorsApi(second).call('POST', `collections/${name}/snapshot`)).json()) as { shards: Array<{ shard: number; written: boolean; skipped?: string }> };
    expect(blocked.shards.find((s) => s.shard === 0)).toMatchObject({ written: false, skipped: 'another instance is snapshotting this shard' });
    expect(blocked.shards.find((s) => s.shard === 1)?.written).toBe(true);
    expect(await redis.get(lock)).toBe('another-instance');
    await redis.del(lock);
    redis.disconnect();
    // The first snapshots (sealing the segments); the second writes past the seals.
    const snapshot = (await (await vectorsApi(first).call('POST', `collections/${name}/snapshot`)).json()) as { shards: Array<{ shard: number; written: boolean }> };
    expect(snapshot.shards.find((s) => s.shard === 0)?.written).toBe(true);
    await vectorsApi(second).upsert(name, data.slice(200, 300));
    expect((await vectorsApi(second).remove(name, 'item-7')).status).toBe(200);
    await eventually(async () => ((await top(first, 250)) === 'item-250' ? true : undefined), 10_000, 200);
    await eventually(async () => ((await vectorsApi(first).describe(name)).items === 299 ? true : undefined), 10_000, 200);
    expect(await top(first, 7)).not.toBe('item-7');
  });

  it('searches the shards an instance holds in process, and asks over HTTP only for those it does not', async () => {
    const fresh = uniqueName('local-first');
    expect((await vectorsApi(first).create(fresh, { dimension, metric: 'cosine', shards: 2 })).status).toBe(201);
    // The first instance writes, so it holds both shards; the second has never touched them.
    await vectorsApi(first).upsert(fresh, data.slice(0, 100));
    const shardSearches = async (host: HostProcess) => {
      const text = await (await fetch(`${host.url}/api/metrics`)).text();
      return [...text.matchAll(/^arbor_function_invocations_total\{[^}]*function="search-shard"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    };
    const before = { first: await shardSearches(first), second: await shardSearches(second) };
    for (let i = 0; i < 5; i++) expect(await top(first, i, fresh)).toBe(`item-${i}`);
    expect(await shardSearches(first)).toBe(before.first);

    // The second asks for each shard once over HTTP (here, its own shard-search function, which
    // loads the shard), then holds them and asks nobody.
    expect(await top(second, 10, fresh)).toBe('item-10');
    expect(await shardSearches(second)).toBe(before.second + 2);
    for (let i = 20; i < 25; i++) expect(await top(second, i, fresh)).toBe(`item-${i}`);
    expect(await shardSearches(second)).toBe(before.second + 2);
  });
});

