import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { definitionsSchema } from '../../../shared/features/definitions.js';
import { applyDefinitions, featureRegistryContainer, loadRegistry, registryMaxStaleMs, registryRefreshMs } from '../../../shared/features/registry.js';
import { featureStores } from '../../../shared/features/stores.js';
import { createServices, type Services } from '../../../shared/platform/services.js';
import { parseSettings } from '../../../shared/platform/settings.js';
import { cosmosClient } from '../../support/clients.js';
import { eventually } from '../../support/host-process.js';

/**
 * The registry cache off the request path: a second instance's apply is simulated by writing a
 * registry document straight to Cosmos DB (this process's cache does not hear of it), and the
 * clock is moved with fake Dates (I/O stays real).
 */
const database = `features-registry-cache-${randomUUID().slice(0, 8)}`;
let services: Services;
const names = (registry: { featureViews: Array<{ name: string }> }) => registry.featureViews.map((v) => v.name);

beforeAll(async () => {
  services = createServices(parseSettings({ ...inject('arborEnv'), COSMOS_DATABASE: database, REDIS_KEY_PREFIX: `${database}:` }));
  await applyDefinitions(
    services,
    featureStores(services).online,
    definitionsSchema.parse({
      entities: [{ name: 'customer', joinKeys: [{ name: 'customer_id', type: 'string' }] }],
      featureViews: [{ name: 'orders', entity: 'customer', ttlSeconds: 600, features: [{ name: 'total', type: 'float64' }] }],
    }),
  );
});
afterEach(() => vi.useRealTimers());
afterAll(async () => {
  await cosmosClient().database(database).delete().catch(() => undefined);
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

/** What another instance's apply leaves in Cosmos DB: one more view document. */
async function otherInstanceAdds(view: string): Promise<void> {
  const container = cosmosClient().database(database).container(featureRegistryContainer.id);
  const { resource } = await container.item('orders', 'featureView').read();
  const { _rid, _self, _etag, _attachments, _ts, ...orders } = resource as Record<string, unknown>;
  await container.items.upsert({ ...orders, id: view, name: view, tag: randomUUID().slice(0, 6).replace(/[^0-9a-z]/g, 'a') });
}

describe('the feature registry cache', () => {
  it('serves its copy without a read while fresh, then serves the stale copy while one background read replaces it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const first = await loadRegistry(services, { fresh: true });
    expect(names(first)).toEqual(['orders']);
    await otherInstanceAdds('late_a');

    vi.setSystemTime(Date.now() + registryRefreshMs - 100);
    expect(await loadRegistry(services)).toBe(first);

    vi.setSystemTime(Date.now() + 200);
    // Past the refresh age: the same copy, answered without waiting for Cosmos DB ...
    const racing = await Promise.race([loadRegistry(services), new Promise<'waited'>((resolve) => setImmediate(() => resolve('waited')))]);
    expect(racing).toBe(first);
    // ... and a later request gets the refreshed one.
    const refreshed = await eventually(async () => {
      const registry = await loadRegistry(services);
      return registry === first ? undefined : registry;
    });
    expect(names(refreshed)).toEqual(['late_a', 'orders']);
  });

  it('waits for a read when its copy is older than the longest it may serve', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const before = await loadRegistry(services, { fresh: true });
    await otherInstanceAdds('late_b');
    vi.setSystemTime(Date.now() + registryMaxStaleMs + 1);
    const after = await loadRegistry(services);
    expect(names(before)).not.toContain('late_b');
    expect(names(after)).toContain('late_b');
  });

  it('shows an apply made here at once', async () => {
    const before = await loadRegistry(services);
    await applyDefinitions(
      services,
      featureStores(services).online,
      definitionsSchema.parse({
        entities: [{ name: 'customer', joinKeys: [{ name: 'customer_id', type: 'string' }] }],
        featureViews: [{ name: 'visits', entity: 'customer', ttlSeconds: 0, features: [{ name: 'count', type: 'int64' }] }],
      }),
    );
    expect(names(before)).not.toContain('visits');
    expect(names(await loadRegistry(services))).toContain('visits');
  });
});
