import type { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entity, FeatureView } from '../../../shared/features/definitions.js';
import { planLookup, readOnline, writeOnline } from '../../../shared/features/online.js';
import { RedisOnlineStore } from '../../../shared/features/redis-online-store.js';
import { rowSchema } from '../../../shared/features/rows.js';
import { ArborError } from '../../../shared/platform/errors.js';
import { createRedis } from '../../../shared/storage/redis.js';
import { plannedRegistry } from '../../support/feature-registry.js';
import { startTestRedisCluster, type TestRedisCluster } from '../../support/redis-cluster.js';

/**
 * The online store on a real Redis Cluster (three masters on loopback), as the app uses it
 * with REDIS_CLUSTER=true. Entity hashes spread over every master, so a pipeline over many
 * entities, or a script over several keys, is what a cluster refuses; the store must read and
 * write them all anyway, and keep the tag binding hash `ft:<project>` working.
 */
const prefix = 'arbor-test:';
const project = 'clustered';
const definitions = {
  entities: [{ name: 'driver', joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
  featureViews: [
    { name: 'driver_stats', entity: 'driver', ttlSeconds: 3600, features: [{ name: 'trips', type: 'int64' }, { name: 'rating', type: 'float64' }] },
    { name: 'driver_profile', entity: 'driver', ttlSeconds: 0, features: [{ name: 'city', type: 'string' }] },
  ],
};
const registry = plannedRegistry(definitions);
const resolved = (name: string) => {
  const view = registry.featureViews.find((v) => v.name === name) as FeatureView;
  return { view, entity: registry.entities.find((e) => e.name === view.entity) as Entity };
};

describe('the online store on a Redis Cluster', () => {
  let cluster: TestRedisCluster;
  let redis: Cluster;
  let store: RedisOnlineStore;
  const now = new Date();

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    redis = createRedis({ url: cluster.url, keyPrefix: prefix, cluster: true }) as Cluster;
    store = new RedisOnlineStore(redis, project);
  });
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('binds tags, writes 300 entities over every master and reads them back in order, in one call each', async () => {
    const bound = await store.bindTags(registry.featureViews.map((view) => ({ view: view.name, features: view.features.map((f) => f.name), proposed: { tag: view.tag, featureTags: view.featureTags } })));
    expect(bound.map((b) => b.tag)).toEqual(registry.featureViews.map((v) => v.tag));

    const ids = Array.from({ length: 300 }, (_, i) => i + 1);
    const stats = resolved('driver_stats');
    const profile = resolved('driver_profile');
    const at = new Date(now.getTime() - 60_000).toISOString();
    const statsRows = ids.map((id) => rowSchema(stats.view, stats.entity).parse({ driver_id: id, event_timestamp: at, trips: id * 10, rating: id / 100 }));
    const profileRows = ids.filter((id) => id % 2 === 0).map((id) => rowSchema(profile.view, profile.entity).parse({ driver_id: id, event_timestamp: at, city: `c${id}` }));
    expect(await writeOnline(store, stats.view, stats.entity, statsRows)).toEqual({ written: 300, older: 0 });
    expect(await writeOnline(store, profile.view, profile.entity, profileRows)).toEqual({ written: 150, older: 0 });
    // Written again at the same time: every row is as old as the stored one.
    expect(await writeOnline(store, stats.view, stats.entity, statsRows)).toEqual({ written: 0, older: 300 });

    // The entity hashes really are on every master.
    const perMaster = await Promise.all(redis.nodes('master').map((node) => node.dbsize()));
    expect(perMaster.every((count) => count > 0)).toBe(true);

    const refs = ['driver_stats:trips', 'driver_stats:rating', 'driver_profile:city'];
    const results = await readOnline(store, planLookup(registry, refs), refs, ids.map((id) => ({ driver_id: id })), now);
    expect(results).toHaveLength(300);
    results.forEach((result, i) => {
      const id = ids[i] as number;
      expect(result.values).toEqual({ 'driver_stats:trips': id * 10, 'driver_stats:rating': id / 100, 'driver_profile:city': id % 2 === 0 ? `c${id}` : null });
      expect(result.status['driver_profile:city']).toBe(id % 2 === 0 ? 'present' : 'missing');
    });
  });

  it('still refuses a view whose tags disagree with the binding, and writes nothing for it', async () => {
    const stats = resolved('driver_stats');
    const swapped = { ...stats.view, tag: 'zz' } as FeatureView;
    const row = rowSchema(stats.view, stats.entity).parse({ driver_id: 1, event_timestamp: now.toISOString(), trips: 1 });
    const refused = await store.write(swapped, stats.entity, [row]).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(ArborError);
    expect(await redis.hget(`f:${project}:driver:1`, `${stats.view.tag}.${stats.view.featureTags.trips}`)).toBe('10');
  });
});
