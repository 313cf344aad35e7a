import { afterAll, describe, expect, it } from 'vitest';
import { blobClient, cosmosClient, deleteRedisPrefix, redisClient } from '../support/clients.js';
import { jsonApi } from '../support/json-api.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';

/**
 * Issue 19: online field tags stay bound to their (view, feature) whatever happens to the
 * registry. Every host here shares one Redis prefix (the online data survives), while the
 * registry is lost: a host started on a fresh Cosmos database (as the in-memory emulator is
 * after a restart), or the registry's records deleted before a restart.
 */
describe('online tags across a lost registry', () => {
  const unique = (prefix: string) => uniqueName(prefix, '_');
  const redisPrefix = `${uniqueName('tags')}:`;
  const project = 'default';
  const rider = unique('rider');
  const viewA = unique('v_a');
  const viewB = unique('v_b');
  const viewC = unique('v_c');
  const entity = { name: rider, joinKeys: [{ name: 'rider_id', type: 'int64' }] };
  const defA = { name: viewA, entity: rider, ttlSeconds: 0, online: true, features: [{ name: 'x', type: 'int64' }] };
  const defB = { name: viewB, entity: rider, ttlSeconds: 0, online: true, features: [{ name: 'y', type: 'string' }] };
  const defC = { name: viewC, entity: rider, ttlSeconds: 0, online: true, features: [{ name: 'z', type: 'float64' }] };
  const at = new Date(Date.now() - 60_000).toISOString();
  const raw = redisClient();
  const hosts: HostProcess[] = [];
  let host: HostProcess;
  const call = jsonApi(() => host);
  const start = async (database: string) => {
    host = await startHostProcess({ COSMOS_DATABASE: database, REDIS_KEY_PREFIX: redisPrefix, ARBOR_FEATURE_PROJECT: project });
    hosts.push(host);
    return host;
  };
  const register = async (featureViews: unknown[]) => {
    const answer = await call('POST', 'features/registry', { entities: [entity], featureViews });
    expect(answer.status, answer.text).toBe(200);
  };
  const read = async (refs: string[]) => {
    const answer = await call('POST', 'features/online', { features: refs, entities: { rider_id: [1] } });
    return answer;
  };
  const registryDatabase = uniqueName('tags-db');

  afterAll(async () => {
    for (const started of hosts) await started.stop();
    await deleteRedisPrefix(raw, redisPrefix);
    raw.disconnect();
  });

  it('registered again in the other order on a lost registry, each view reads its own values', async () => {
    await start(uniqueName('tags-first'));
    await register([defA, defB]);
    expect((await call('POST', 'features/push', { view: viewA, rows: [{ rider_id: 1, event_timestamp: at, x: 1 }] })).status).toBe(200);
    expect((await call('POST', 'features/push', { view: viewB, rows: [{ rider_id: 1, event_timestamp: at, y: 'hello' }] })).status).toBe(200);
    const before = await read([`${viewA}:x`, `${viewB}:y`]);
    expect(before.body.results[0].values).toEqual({ [`${viewA}:x`]: 1, [`${viewB}:y`]: 'hello' });
    await host.stop();

    // The registry is lost (a fresh database); Redis keeps the values. Registered v_b first.
    await start(registryDatabase);
    await register([defB]);
    await register([defA]);
    const after = await read([`${viewA}:x`, `${viewB}:y`]);
    expect(after.status, after.text).toBe(200);
    expect(after.body.results[0].values).toEqual({ [`${viewA}:x`]: 1, [`${viewB}:y`]: 'hello' });
    expect(after.body.results[0].status).toEqual({ [`${viewA}:x`]: 'present', [`${viewB}:y`]: 'present' });
    await host.stop();
  }, 180_000);

  it('with the registry records deleted, a view registered first takes no tag of the views before it', async () => {
    const container = cosmosClient().database(registryDatabase).container('feature-registry');
    const { resources } = await container.items.query<{ id: string; kind: string }>('SELECT c.id, c.kind FROM c').fetchAll();
    expect(resources.map((r) => r.id)).toEqual(expect.arrayContaining([viewA, viewB, rider]));
    for (const document of resources) await container.item(document.id, document.kind).delete();

    await start(registryDatabase);
    expect((await call('GET', 'features/registry')).body.featureViews).toEqual([]);
    await register([defC]);
    expect((await call('POST', 'features/push', { view: viewC, rows: [{ rider_id: 1, event_timestamp: at, z: 2.5 }] })).status).toBe(200);
    await register([defB, defA]);
    const after = await read([`${viewA}:x`, `${viewB}:y`, `${viewC}:z`]);
    expect(after.status, after.text).toBe(200);
    expect(after.body.results[0].values).toEqual({ [`${viewA}:x`]: 1, [`${viewB}:y`]: 'hello', [`${viewC}:z`]: 2.5 });
    const tags = (await call('GET', 'features/registry')).body.featureViews.map((v: { tag: string }) => v.tag);
    expect(new Set(tags).size).toBe(3);
    await host.stop();
  }, 180_000);

  it('a registry definition whose tags disagree with the online binding is refused with 409 and nothing changes', async () => {
    // A registry restored from elsewhere: v_a's definition names v_b's tag.
    const container = cosmosClient().database(registryDatabase).container('feature-registry');
    const { resource: a } = await container.item(viewA, 'featureView').read<Record<string, unknown>>();
    const { resource: b } = await container.item(viewB, 'featureView').read<Record<string, unknown>>();
    expect(a?.tag).not.toBe(b?.tag);
    await container.items.upsert({ ...a, tag: b?.tag });
    const entityKey = `${redisPrefix}f:${project}:${rider}:1`;
    const bindingKey = `${redisPrefix}ft:${project}`;
    const held = { entity: await raw.hgetall(entityKey), binding: await raw.hgetall(bindingKey) };
    expect(Object.keys(held.binding).length).toBeGreaterThan(0);

    await start(registryDatabase);
    const refused = await read([`${viewA}:x`, `${viewB}:y`]);
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.code).toBe('tag_binding_mismatch');
    expect(refused.body.error.message).toContain(viewA);
    expect(refused.body.error.message).not.toContain(viewB);
    const pushed = await call('POST', 'features/push', { view: viewA, rows: [{ rider_id: 1, event_timestamp: new Date().toISOString(), x: 7 }] });
    expect(pushed.status, pushed.text).toBe(409);
    expect(pushed.body.error.code).toBe('tag_binding_mismatch');
    // With the offline store too: refused before the offline write, so no part is added.
    const offline = blobClient().getContainerClient('offline');
    const parts = async () => {
      const names: string[] = [];
      if (!(await offline.exists())) return names;
      for await (const blob of offline.listBlobsFlat({ prefix: `${viewA}/` })) names.push(blob.name);
      return names;
    };
    const partsBefore = await parts();
    const both = await call('POST', 'features/push', { view: viewA, to: 'both', rows: [{ rider_id: 1, event_timestamp: new Date().toISOString(), x: 8 }] });
    expect(both.status, both.text).toBe(409);
    expect(await parts()).toEqual(partsBefore);
    expect(await raw.hgetall(entityKey)).toEqual(held.entity);
    expect(await raw.hgetall(bindingKey)).toEqual(held.binding);
    // The other view is still served.
    const other = await read([`${viewB}:y`]);
    expect(other.status, other.text).toBe(200);
    expect(other.body.results[0].values).toEqual({ [`${viewB}:y`]: 'hello' });

    // Applying the definition again takes the online store's binding back into the registry.
    await register([defA]);
    const repaired = await read([`${viewA}:x`, `${viewB}:y`]);
    expect(repaired.status, repaired.text).toBe(200);
    expect(repaired.body.results[0].values).toEqual({ [`${viewA}:x`]: 1, [`${viewB}:y`]: 'hello' });
    await host.stop();
  }, 180_000);
});
