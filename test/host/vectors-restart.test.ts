import { describe, expect, it } from 'vitest';
import { nativeUnavailableReason } from '../../shared/vectors/engines/select.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { clusteredVectors } from '../support/vector-data.js';
import { vectorsApi } from '../support/vectors-api.js';

const nativeMissing = await nativeUnavailableReason();

const dimension = 16;
const data = clusteredVectors(900, dimension, { seed: 5 }).map((vector, i) => ({ id: `item-${i}`, vector, metadata: { i } }));

/** Every acknowledged item is served: found first by its own vector, with its metadata. */
async function expectServed(host: HostProcess, name: string, items: typeof data, absent: string[]) {
  const api = vectorsApi(host);
  const described = await api.describe(name);
  expect(described.items).toBe(items.length);
  for (const item of items.filter((_, i) => i % 15 === 0)) {
    const answer = await api.query(name, { vector: item.vector, k: 1 });
    expect(answer.results[0]).toMatchObject({ id: item.id, metadata: item.metadata });
  }
  for (const id of absent) expect((await api.remove(name, id)).status).toBe(404);
  return described;
}

describe.each(['native', 'wasm'] as const)('a killed host loses no acknowledged vector write (%s engine)', (engine) => {
  it.skipIf(engine === 'native' && Boolean(nativeMissing))('replays the log after SIGKILL, and a snapshot shortens the replay', async () => {
    const settings = { ARBOR_VECTOR_ENGINE: engine, ARBOR_VECTOR_SNAPSHOT_SCHEDULE: '0 0 0 1 1 *' };
    const name = uniqueName('durable');
    const first = await startHostProcess(settings);
    const same = { ...settings, COSMOS_DATABASE: first.database, REDIS_KEY_PREFIX: first.redisPrefix, ARBOR_TASK_HUB: first.taskHub };
    try {
      expect((await vectorsApi(first).create(name, { dimension, metric: 'cosine', shards: 2 })).status).toBe(201);
      for (let start = 0; start < 600; start += 200) await vectorsApi(first).upsert(name, data.slice(start, start + 200));
      expect((await vectorsApi(first).remove(name, 'item-3')).status).toBe(200);
    } finally {
      await first.stop('SIGKILL');
    }
    const live = data.slice(0, 600).filter((d) => d.id !== 'item-3');

    const second = await startHostProcess(same);
    try {
      const described = await expectServed(second, name, live, ['item-3']);
      // Nothing snapshotted yet: the whole history (3 upserts and a delete) came from the log.
      expect(described.shardStats.reduce((sum, s) => sum + s.logRecords, 0)).toBeGreaterThanOrEqual(4);
      const snapshot = await vectorsApi(second).snapshot(name);
      expect(snapshot.shards.every((s) => s.written)).toBe(true);
      await vectorsApi(second).upsert(name, data.slice(600, 650));
    } finally {
      await second.stop('SIGKILL');
    }

    const third = await startHostProcess(same);
    try {
      const described = await expectServed(third, name, [...live, ...data.slice(600, 650)], ['item-3']);
      // Only the write after the snapshot was replayed: one record in each shard it touched.
      for (const stats of described.shardStats) {
        expect(stats.lastSnapshot?.engine).toBe(engine);
        expect(stats.logRecords).toBeLessThanOrEqual(1);
      }
      expect(described.shardStats.reduce((sum, s) => sum + s.logRecords, 0)).toBeGreaterThanOrEqual(1);
    } finally {
      await third.stop();
    }
    // Three host starts and two replays: generous on a loaded machine, still bounded.
  }, 180_000);
});
