import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { featureStores } from '../../../shared/features/stores.js';
import { applyDefinitions, featureRegistryContainer, loadRegistry } from '../../../shared/features/registry.js';
import { definitionsSchema } from '../../../shared/features/definitions.js';
import { asArborError } from '../../../shared/platform/errors.js';
import { createServices, type Services } from '../../../shared/platform/services.js';
import { parseSettings } from '../../../shared/platform/settings.js';
import { CorruptDocumentError } from '../../../shared/storage/cosmos.js';
import { cosmosClient, deleteRedisPrefix, redisClient } from '../../support/clients.js';

const suffix = randomUUID().slice(0, 8);
const database = `features-registry-${suffix}`;
let services: Services;

const definitions = (features: Array<{ name: string; type: string }>) =>
  definitionsSchema.parse({
    entities: [{ name: 'customer', joinKeys: [{ name: 'customer_id', type: 'string' }] }],
    featureViews: [
      { name: 'orders', entity: 'customer', ttlSeconds: 600, features },
      { name: 'visits', entity: 'customer', ttlSeconds: 0, features: [{ name: 'count', type: 'int64' }] },
    ],
    featureServices: [{ name: 'checkout', features: ['orders:total'] }],
  });

beforeAll(() => {
  services = createServices(parseSettings({ ...inject('arborEnv'), COSMOS_DATABASE: database, REDIS_KEY_PREFIX: `${database}:` }));
});
afterAll(async () => {
  await cosmosClient().database(database).delete().catch(() => undefined);
  const raw = redisClient();
  await deleteRedisPrefix(raw, `${database}:`);
  raw.disconnect();
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('the registry in Cosmos DB', () => {
  it('assigns tags once: appended features get new ones, existing ones never change, and reads carry no Cosmos fields', async () => {
    await applyDefinitions(services, featureStores(services).online, definitions([{ name: 'total', type: 'float64' }, { name: 'items', type: 'int64' }]));
    const first = await loadRegistry(services, { fresh: true });
    expect(first.featureViews.map((v) => [v.name, v.tag, v.featureTags, v.version])).toEqual([
      ['orders', '1', { total: '0', items: '1' }, 1],
      ['visits', '2', { count: '0' }, 1],
    ]);

    const result = await applyDefinitions(services, featureStores(services).online, definitions([{ name: 'total', type: 'float64' }, { name: 'items', type: 'int64' }, { name: 'returns', type: 'int64' }]));
    expect(result).toEqual({ created: [], updated: ['featureView:orders'], unchanged: ['entity:customer', 'featureView:visits', 'featureService:checkout'] });
    const second = await loadRegistry(services, { fresh: true });
    const orders = second.featureViews.find((v) => v.name === 'orders');
    expect(orders).toMatchObject({ tag: '1', featureTags: { total: '0', items: '1', returns: '2' }, version: 2 });
    expect(Object.keys(orders ?? {}).filter((key) => key.startsWith('_'))).toEqual([]);
    expect(Object.keys(second.entities[0] ?? {}).sort()).toEqual(['joinKeys', 'name', 'version']);
  });

  it('binds a stored registry\'s tags in an online store that has none, so a new view takes none of them, and adopts a binding that differs', async () => {
    const online = featureStores(services).online;
    const raw = redisClient();
    try {
      // An online store without bindings under a registry that holds tags (one older than the binding, or a store replaced).
      await raw.del(`${database}:ft:default`);
      const extra = definitionsSchema.parse({ featureViews: [{ name: 'extra', entity: 'customer', ttlSeconds: 0, features: [{ name: 'n', type: 'int64' }] }] });
      expect(await applyDefinitions(services, online, extra)).toEqual({ created: ['featureView:extra'], updated: [], unchanged: [] });
      const tags = async () => Object.fromEntries((await loadRegistry(services, { fresh: true })).featureViews.map((v) => [v.name, [v.tag, v.featureTags]]));
      expect(await tags()).toEqual({ extra: ['3', { n: '0' }], orders: ['1', { total: '0', items: '1', returns: '2' }], visits: ['2', { count: '0' }] });
      expect(await raw.hget(`${database}:ft:default`, 'orders\x00returns')).toBe('2');

      // The binding wins over what the registry holds: applying again takes it, as an update.
      await raw.hset(`${database}:ft:default`, 'visits', '9', '#9', 'visits');
      const again = await applyDefinitions(services, online, definitions([{ name: 'total', type: 'float64' }, { name: 'items', type: 'int64' }, { name: 'returns', type: 'int64' }]));
      expect(again.updated).toEqual(['featureView:visits']);
      expect((await tags()).visits).toEqual(['9', { count: '0' }]);
    } finally {
      raw.disconnect();
    }
  });

  it('names the container, the id and each problem when a stored definition has another shape, instead of serving it', async () => {
    const container = cosmosClient().database(database).container(featureRegistryContainer.id);
    // An older shape: a view stored before tags existed, and an entity whose key type is unknown.
    await container.items.upsert({ id: 'legacy', kind: 'featureView', name: 'legacy', entity: 'customer', ttlSeconds: 60, online: true, features: [{ name: 'x', type: 'int64' }], version: 1 });
    const error = await loadRegistry(services, { fresh: true }).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(CorruptDocumentError);
    expect(error).toMatchObject({ container: 'feature-registry', id: 'legacy' });
    expect((error as CorruptDocumentError).problems.map((p) => p.field).sort()).toEqual(['featureTags', 'tag']);
    expect((error as Error).message).toContain('feature-registry/legacy');
    expect(asArborError(error)?.toBody()).toMatchObject({ error: { code: 'corrupt_document', details: expect.arrayContaining([expect.objectContaining({ field: expect.stringMatching(/^feature-registry\/legacy: /) })]) } });
    expect(asArborError(error)?.status).toBe(500);

    await container.item('legacy', 'featureView').delete();
    await container.items.upsert({ id: 'odd', kind: 'entity', name: 'odd', joinKeys: [{ name: 'k', type: 'uuid' }], version: 1 });
    await expect(loadRegistry(services, { fresh: true })).rejects.toThrow(/feature-registry\/odd .*joinKeys\[0\]\.type/);
    await container.item('odd', 'entity').delete();
    expect((await loadRegistry(services, { fresh: true })).entities.map((e) => e.name)).toEqual(['customer']);
  });

  it('refuses to apply over a corrupt document rather than planning from a half-read registry', async () => {
    const container = cosmosClient().database(database).container(featureRegistryContainer.id);
    await container.items.upsert({ id: 'checkout', kind: 'featureService', name: 'checkout', features: 'orders:total', version: 1 });
    await expect(applyDefinitions(services, featureStores(services).online, definitions([{ name: 'total', type: 'float64' }]))).rejects.toBeInstanceOf(CorruptDocumentError);
    await container.items.upsert({ id: 'checkout', kind: 'featureService', name: 'checkout', features: ['orders:total'], version: 1 });
  });
});
