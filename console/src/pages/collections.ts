import { enc, getJson } from '../api.js';
import { append, h, table, when } from '../dom.js';
import type { Page } from '../page.js';

interface Collection {
  name: string;
  dimension: number;
  metric: string;
  shards: number;
  createdAt?: string;
}

interface ShardStats {
  shard: number;
  items: number;
  tombstones: number;
  logRecords: number;
  memoryBytes: number;
  engine: string;
  lastSnapshot: { seq: number; at: string; engine: string } | null;
}

interface Described extends Collection {
  items: number;
  memoryBytes: number;
  engine: string;
  shardStats: ShardStats[];
}

const megabytes = (bytes: number) => `${(bytes / 1_048_576).toFixed(2)} MB`;

/** #/collections: every vector collection with its items, shards and last snapshot. */
export const collectionsPage: Page = async ({ main }) => {
  const { collections } = await getJson<{ collections: Collection[] }>('collections');
  // Each collection described (items and snapshots live in its shards), at most a page of them.
  const described = await Promise.all(collections.slice(0, 50).map((collection) => getJson<Described>(`collections/${enc(collection.name)}`)));
  main.replaceChildren();
  append(main, [
    h('h1', {}, 'Vector collections'),
    described.length === 0
      ? h('p', {}, 'No collection yet.')
      : table(
          ['Collection', 'Items', 'Dimension', 'Metric', 'Shards', 'Engine', 'Memory', 'Last snapshot'],
          described.map((c) => {
            const snapshots = c.shardStats.flatMap((shard) => (shard.lastSnapshot ? [shard.lastSnapshot.at] : [])).sort();
            return [h('a', { href: `#/collections/${enc(c.name)}`, class: 'collection-link' }, c.name), c.items, c.dimension, c.metric, c.shards, c.engine, megabytes(c.memoryBytes), when(snapshots.at(-1)) || 'none'];
          }),
          { id: 'collections' },
        ),
  ]);
};

/** #/collections/<name>: each shard's items, tombstones, log and last snapshot. */
export const collectionPage: Page = async ({ main }, [name = '']) => {
  const c = await getJson<Described>(`collections/${enc(name)}`);
  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/collections' }, 'Vector collections'), ' / ', name),
    h('h1', {}, `Collection ${name}`),
    h('p', {}, `${c.items} items · ${c.dimension} dimensions · ${c.metric} · ${c.shards} shards · ${c.engine}`),
    table(
      ['Shard', 'Items', 'Tombstones', 'Log records', 'Memory', 'Last snapshot'],
      c.shardStats.map((shard) => [shard.shard, shard.items, shard.tombstones, shard.logRecords, megabytes(shard.memoryBytes), shard.lastSnapshot ? `#${shard.lastSnapshot.seq} at ${when(shard.lastSnapshot.at)}` : 'none']),
      { id: 'shards' },
    ),
  );
};
