import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { metricsRegistry } from '../../../shared/platform/metrics.js';
import { createCosmosStore, cosmosRepository } from '../../../shared/storage/cosmos.js';
import { observeStorageOperations, type StorageOperation } from '../../../shared/storage/operation-observers.js';
import { cosmosClient } from '../../support/clients.js';

/** Every repository call is one counted operation of its kind, seen by observers and in the metrics. */
const database = `storage-ops-${randomUUID().slice(0, 8)}`;
const env = inject('arborEnv');
const store = createCosmosStore({ COSMOS_ENDPOINT: env.COSMOS_ENDPOINT as string, COSMOS_KEY: env.COSMOS_KEY, COSMOS_DATABASE: database });
const container = `ops-${randomUUID().slice(0, 8)}`;
const things = cosmosRepository(store, { id: container, partitionKey: '/id' }, z.object({ id: z.string(), n: z.number() }));

afterAll(async () => {
  await cosmosClient().database(database).delete().catch(() => undefined);
});

async function counted(operation: StorageOperation['operation']): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('arbor_storage_operations_total')?.get();
  return metric?.values.find((v) => v.labels.operation === operation && v.labels.container === container && v.labels.store === 'cosmos')?.value ?? 0;
}

describe('storage operation counts', () => {
  it('counts each Cosmos DB repository call once, by kind and container', async () => {
    const seen: StorageOperation[] = [];
    const stop = observeStorageOperations((operation) => seen.push(operation));
    try {
      await things.upsert({ id: 'a', n: 1 });
      await things.create({ id: 'b', n: 2 });
      await things.patch('a', 'a', [{ op: 'set', path: '/n', value: 3 }]);
      expect(await things.read('a', 'a')).toEqual({ id: 'a', n: 3 });
      expect(await things.read('missing', 'missing')).toBeUndefined();
      expect((await things.query('SELECT * FROM c')).map((t) => t.id).sort()).toEqual(['a', 'b']);
      expect(await things.delete('b', 'b')).toBe(true);
    } finally {
      stop();
    }
    expect(seen.map((s) => s.operation)).toEqual(['write', 'write', 'write', 'read', 'read', 'query', 'delete']);
    expect(new Set(seen.map((s) => `${s.store}/${s.container}`))).toEqual(new Set([`cosmos/${container}`]));
    expect([await counted('write'), await counted('read'), await counted('query'), await counted('delete')]).toEqual([3, 2, 1, 1]);
    // Stopped observers hear nothing more; the metric still counts.
    await things.read('a', 'a');
    expect(seen).toHaveLength(7);
    expect(await counted('read')).toBe(3);
  });
});
