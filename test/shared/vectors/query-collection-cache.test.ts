import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createServices, type Services } from '../../../shared/platform/services.js';
import { parseSettings } from '../../../shared/platform/settings.js';
import { dropCollection } from '../../../shared/vectors/collection-admin.js';
import { queryableCollection, queryCollectionRefreshMs, requireCollection } from '../../../shared/vectors/collection-cache.js';
import { deleteCollectionDocument, putCollection } from '../../../shared/vectors/collections.js';
import { cosmosClient } from '../../support/clients.js';

/**
 * Queries find their collection in memory (collection-cache.ts). Another instance's drop is
 * simulated by deleting the collection's document straight from Cosmos DB (this process's
 * cache does not hear of it); the clock is moved with fake Dates (I/O stays real).
 */
const database = `vector-query-cache-${randomUUID().slice(0, 8)}`;
let services: Services;
const spec = { dimension: 3, metric: 'cosine' as const, shards: 1, m: 16, efConstruction: 200 };

beforeAll(() => {
  services = createServices(parseSettings({ ...inject('arborEnv'), COSMOS_DATABASE: database, REDIS_KEY_PREFIX: `${database}:` }));
});
afterEach(() => vi.useRealTimers());
afterAll(async () => {
  await cosmosClient().database(database).delete().catch(() => undefined);
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('the collection a query reads', () => {
  it('is found at once when created after a query missed it (a missing collection is not remembered)', async () => {
    await expect(queryableCollection(services, 'late')).rejects.toThrow('collection "late"');
    const { collection } = await putCollection(services, 'late', spec, new Date());
    expect(await queryableCollection(services, 'late')).toEqual(collection);
  });

  it("is served from memory after another instance's drop until the refresh, then 404", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { collection } = await putCollection(services, 'dropped-elsewhere', spec, new Date());
    expect(await queryableCollection(services, 'dropped-elsewhere')).toEqual(collection);
    await deleteCollectionDocument(services, 'dropped-elsewhere');
    // Writes read fresh: the drop is seen at once.
    await expect(requireCollection(services, 'dropped-elsewhere')).rejects.toThrow('collection "dropped-elsewhere"');
    expect(await queryableCollection(services, 'dropped-elsewhere')).toEqual(collection);
    vi.setSystemTime(Date.now() + queryCollectionRefreshMs);
    // Past the refresh the old copy answers once more while the read runs in the background.
    expect(await queryableCollection(services, 'dropped-elsewhere')).toEqual(collection);
    await vi.waitFor(async () => {
      await expect(queryableCollection(services, 'dropped-elsewhere')).rejects.toThrow('collection "dropped-elsewhere"');
    });
  });

  it('is gone at once on the instance that dropped it', async () => {
    await putCollection(services, 'dropped-here', spec, new Date());
    await queryableCollection(services, 'dropped-here');
    expect(await dropCollection(services, 'dropped-here')).toBe(true);
    await expect(queryableCollection(services, 'dropped-here')).rejects.toThrow('collection "dropped-here"');
  });
});
