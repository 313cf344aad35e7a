import type { ContainerClient } from '@azure/storage-blob';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VectorEngine } from '../../../shared/vectors/engine.js';
import { loadEngine } from '../../../shared/vectors/engines/select.js';
import { logPrefix, vectorsContainer } from '../../../shared/vectors/layout.js';
import { Shard, ShardMovedError, type ShardConfig } from '../../../shared/vectors/shard.js';
import { blobClient } from '../../support/clients.js';
import { uniqueName } from '../../support/host-process.js';
import { clusteredVectors } from '../../support/vector-data.js';

/**
 * Several instances with a copy of one shard, as in Azure, where any instance takes any write
 * or query. Each copy here is a Shard opened on the same blobs; the wasm engine runs everywhere.
 */
const dimension = 8;
const data = clusteredVectors(400, dimension, { seed: 3 }).map((vector, i) => ({ id: `v${i}`, vector: Float32Array.from(vector), metadata: { i } }));
const slice = (from: number, to: number) => data.slice(from, to);
const finds = (shard: Shard, i: number) => shard.search((data[i] as (typeof data)[number]).vector, 1, 64).hits[0]?.id === `v${i}`;

describe('copies of one shard on several instances', () => {
  let engine: VectorEngine;
  let container: ContainerClient;
  beforeAll(async () => {
    engine = await loadEngine('wasm');
    container = blobClient().getContainerClient(vectorsContainer);
    await container.createIfNotExists();
  });
  const config = (): ShardConfig => ({ collection: uniqueName('instances'), uid: 'u1', shard: 0, dimension, metric: 'cosine', m: 16, efConstruction: 100 });
  const segments = async (cfg: ShardConfig) => {
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: logPrefix({ collection: cfg.collection, uid: cfg.uid, shard: 0 }) })) names.push(blob.name.split('/').pop() as string);
    return names;
  };

  it('see each other’s writes, write past each other’s snapshots, and lose nothing acknowledged', async () => {
    const cfg = config();
    const a = await Shard.open(cfg, engine, container);
    const stale = await Shard.open(cfg, engine, container); // never synced until the end
    await a.upsert(slice(0, 100));
    const b = await Shard.open(cfg, engine, container);
    expect(b.live).toBe(100);

    // B writes; A sees it after a sync, without reloading.
    await b.upsert(slice(100, 150));
    expect(finds(a, 120)).toBe(false);
    expect(await a.sync()).toBe('current');
    expect(a.live).toBe(150);
    expect(finds(a, 120)).toBe(true);

    // A snapshots: it seals segment 0. B's next write meets the seal, follows it, and lands in segment 1.
    expect((await a.snapshotNow({ rebuildRatio: 0.2 })).written).toBe(true);
    await b.upsert(slice(150, 160));
    expect(await b.delete(['v3'])).toEqual(['v3']);
    expect(await a.sync()).toBe('current');
    expect(a.live).toBe(159);
    expect(finds(a, 155)).toBe(true);

    // B snapshots in turn (sealing segment 1); A keeps writing after it.
    expect((await b.snapshotNow({ rebuildRatio: 0.2 })).written).toBe(true);
    await a.upsert(slice(160, 170));
    // A third snapshot removes the segments the first one covered.
    expect((await a.snapshotNow({ rebuildRatio: 0.2 })).written).toBe(true);
    expect(await segments(cfg)).not.toContain('00000000.jsonl');

    // A copy that fell two snapshots behind cannot follow the seals any more: it says so.
    await expect(stale.upsert(slice(170, 171))).rejects.toBeInstanceOf(ShardMovedError);
    expect(await stale.sync()).toBe('reload');

    // Whatever a fresh instance loads has every acknowledged write, and nothing else.
    const fresh = await Shard.open(cfg, engine, container);
    expect(fresh.live).toBe(169);
    for (const i of [0, 99, 120, 155, 165, 169]) expect(finds(fresh, i), `v${i}`).toBe(true);
    expect(fresh.has('v3')).toBe(false);
    expect(fresh.has('v170')).toBe(false);
    for (const copy of [a, b, stale, fresh]) copy.dispose();
  });
});
