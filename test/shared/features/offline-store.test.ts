import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { FeatureRegistry } from '../../../shared/features/definitions.js';
import { historicalFeatures } from '../../../shared/features/historical.js';
import { ingestContainer, ingestFile, quarantineContainer } from '../../../shared/features/ingest.js';
import { materializeView } from '../../../shared/features/materialize.js';
import { planLookup, readOnline } from '../../../shared/features/online.js';
import { BlobParquetOfflineStore, offlineContainer } from '../../../shared/features/parquet-offline-store.js';
import type { FeatureStores } from '../../../shared/features/ports.js';
import { pushRows } from '../../../shared/features/push.js';
import { RedisOnlineStore } from '../../../shared/features/redis-online-store.js';
import { requireView } from '../../../shared/features/registry.js';
import { withDuckDb } from '../../../shared/platform/duckdb.js';
import { ConflictError } from '../../../shared/platform/errors.js';
import { createServices, type Services } from '../../../shared/platform/services.js';
import { parseSettings } from '../../../shared/platform/settings.js';
import { cosmosClient, deleteRedisPrefix, redisClient } from '../../support/clients.js';
import { plannedRegistry } from '../../support/feature-registry.js';

const suffix = randomUUID().slice(0, 8);
const database = `features-offline-${suffix}`;
const prefix = `${database}:`;
/** View names are shared by every test on the run's Azurite, so each is unique. */
const view = (name: string) => `${name}_${suffix}`;
const trips = view('trips');
const hourly = view('hourly');
const wide = view('wide');
const ingested = view('ingested');

let services: Services;
let stores: FeatureStores;
let registry: FeatureRegistry;

const at = (iso: string) => new Date(iso);
const T = '2026-04-10T12:00:00.000Z';
const plus = (seconds: number, from = T) => new Date(Date.parse(from) + seconds * 1000).toISOString();

async function push(name: string, rows: Array<Record<string, unknown>>, writtenAt: string) {
  return pushRows(stores, registry, { view: name, rows, to: 'offline' }, at(writtenAt), { maxFutureSeconds: 300 });
}

async function trainingSet(refs: string[], rows: Array<Record<string, unknown>>) {
  const result = await historicalFeatures(services, stores.offline, registry, refs, { kind: 'inline', rows });
  if (!('rows' in result)) throw new Error('expected an inline answer');
  return result.rows;
}

beforeAll(() => {
  services = createServices(parseSettings({ ...inject('arborEnv'), COSMOS_DATABASE: database, REDIS_KEY_PREFIX: prefix, ARBOR_FEATURE_PROJECT: 'unit' }));
  stores = { online: new RedisOnlineStore(services.redis, 'unit'), offline: new BlobParquetOfflineStore(services) };
  registry = plannedRegistry({
    entities: [{ name: 'rider', joinKeys: [{ name: 'rider_id', type: 'int64' }] }],
    featureViews: [
      { name: trips, entity: 'rider', ttlSeconds: 0, features: [{ name: 'count', type: 'int64' }] },
      { name: hourly, entity: 'rider', ttlSeconds: 3600, features: [{ name: 'spend', type: 'float64' }] },
      { name: wide, entity: 'rider', ttlSeconds: 0, online: false, features: [{ name: 'big', type: 'int64' }] },
      { name: ingested, entity: 'rider', ttlSeconds: 0, features: [{ name: 'count', type: 'int64' }] },
    ],
  });
});
afterAll(async () => {
  const container = services.blob.getContainerClient(offlineContainer);
  for (const name of [trips, hourly, wide, ingested]) {
    for await (const blob of container.listBlobsFlat({ prefix: `${name}/` })) await container.deleteBlob(blob.name);
  }
  const quarantined = services.blob.getContainerClient(quarantineContainer);
  if (await quarantined.exists()) {
    for await (const blob of quarantined.listBlobsFlat({ prefix: `${ingested}/` })) await quarantined.deleteBlob(blob.name);
  }
  const redis = redisClient();
  await deleteRedisPrefix(redis, prefix);
  redis.disconnect();
  await cosmosClient().database(database).delete().catch(() => undefined);
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('rows of one key and event time: the newest write wins', () => {
  it('resolves a rewrite by write time in training sets and materialization, whatever the values', async () => {
    await push(trips, [{ rider_id: 1, event_timestamp: T, count: 1 }, { rider_id: 2, event_timestamp: T, count: 9 }], '2026-04-11T00:00:00Z');
    await push(trips, [{ rider_id: 1, event_timestamp: T, count: 5 }, { rider_id: 2, event_timestamp: T, count: 3 }], '2026-04-11T00:00:01Z');
    const rows = await trainingSet([`${trips}:count`], [
      { rider_id: 1, event_timestamp: plus(1) },
      { rider_id: 2, event_timestamp: T },
    ]);
    expect(rows.map((r) => r[`${trips}:count`])).toEqual([5, 3]);

    const result = await materializeView(services, stores, registry, { view: trips, start: at(plus(-60)), end: at(plus(60)) }, at('2026-04-12T00:00:00Z'));
    expect(result).toMatchObject({ entities: 2, written: 2 });
    const online = await readOnline(stores.online, planLookup(registry, [`${trips}:count`]), [`${trips}:count`], [{ rider_id: 1 }, { rider_id: 2 }], at('2026-04-12T00:00:00Z'));
    expect(online.map((r) => r.values[`${trips}:count`])).toEqual([5, 3]);
  });

  it('takes the newest write even when it was stored first, and checks each view of a training set on its own', async () => {
    // The later write lands in storage first: a join that took the last row stored would answer 1.
    await push(trips, [{ rider_id: 7, event_timestamp: T, count: 5 }], '2026-04-11T00:00:05Z');
    await push(trips, [{ rider_id: 7, event_timestamp: T, count: 1 }], '2026-04-11T00:00:04Z');
    // In the other view a rewrite at -60 s, which the first entity row passes over (it matches
    // -30 s) and the second matches: the newest write again, 1.
    await push(hourly, [{ rider_id: 7, event_timestamp: plus(-60), spend: 1 }], '2026-04-11T00:00:05Z');
    await push(hourly, [{ rider_id: 7, event_timestamp: plus(-60), spend: 2 }], '2026-04-11T00:00:04Z');
    await push(hourly, [{ rider_id: 7, event_timestamp: plus(-30), spend: 3 }], '2026-04-11T00:00:04Z');
    const rows = await trainingSet([`${trips}:count`, `${hourly}:spend`], [
      { rider_id: 7, event_timestamp: plus(1) },
      { rider_id: 7, event_timestamp: plus(-45) },
      { rider_id: 8, event_timestamp: plus(1) },
    ]);
    expect(rows.map((r) => [r[`${trips}:count`], r[`${hourly}:spend`]])).toEqual([
      [5, 3],
      [null, 1],
      [null, null],
    ]);
  });

  it('never answers with a row from after the entity row, and takes the newest before it', async () => {
    await push(trips, [
      { rider_id: 3, event_timestamp: plus(-10), count: 1 },
      { rider_id: 3, event_timestamp: T, count: 2 },
      { rider_id: 3, event_timestamp: plus(10), count: 3 },
    ], '2026-04-11T00:00:00Z');
    const rows = await trainingSet([`${trips}:count`], [
      { rider_id: 3, event_timestamp: plus(-0.001) },
      { rider_id: 3, event_timestamp: T },
      { rider_id: 3, event_timestamp: plus(9.999) },
      { rider_id: 3, event_timestamp: plus(-11) },
    ]);
    expect(rows.map((r) => r[`${trips}:count`])).toEqual([1, 2, 2, null]);
  });
});

describe('TTL in training sets, in seconds', () => {
  it('joins a value exactly TTL old and one a second younger, and not one a second older', async () => {
    await push(hourly, [1, 2, 3].map((rider_id) => ({ rider_id, event_timestamp: T, spend: rider_id * 10 })), '2026-04-11T00:00:00Z');
    const rows = await trainingSet([`${hourly}:spend`], [
      { rider_id: 1, event_timestamp: plus(3600) },
      { rider_id: 2, event_timestamp: plus(3599) },
      { rider_id: 3, event_timestamp: plus(3601) },
    ]);
    expect(rows.map((r) => r[`${hourly}:spend`])).toEqual([10, 20, null]);
  });

  it('reads the partition of the day before when the TTL reaches back over midnight', async () => {
    await push(hourly, [{ rider_id: 4, event_timestamp: '2026-04-09T23:30:00Z', spend: 4 }], '2026-04-11T00:00:00Z');
    const rows = await trainingSet([`${hourly}:spend`], [{ rider_id: 4, event_timestamp: '2026-04-10T00:29:59Z' }]);
    expect(rows[0]?.[`${hourly}:spend`]).toBe(4);
  });
});

describe('int64 and timestamp edges', () => {
  it('keeps int64 exact to the ends of its range through parquet and back', async () => {
    const values = ['9223372036854775807', '-9223372036854775808', '9007199254740993', 9007199254740991, -1];
    await push(wide, values.map((big, i) => ({ rider_id: 10 + i, event_timestamp: T, big })), '2026-04-11T00:00:00Z');
    const rows = await trainingSet([`${wide}:big`], values.map((_, i) => ({ rider_id: 10 + i, event_timestamp: plus(1) })));
    expect(rows.map((r) => r[`${wide}:big`])).toEqual(['9223372036854775807', '-9223372036854775808', '9007199254740993', 9007199254740991, -1]);
  });

  it('partitions by the UTC date of the event, whatever zone it was given in', async () => {
    await push(wide, [{ rider_id: 20, event_timestamp: '2026-03-01T23:30:00-02:00', big: 1 }], '2026-04-11T00:00:00Z');
    const parts = await stores.offline.listPartitions(wide, { from: '2026-03-01', to: '2026-03-02' });
    expect(parts.map((p) => p.date)).toEqual(['2026-03-02']);
    expect(parts[0]?.location).toMatch(new RegExp(`^offline/${wide}/date=2026-03-02/[^/]+\\.parquet$`));
    expect(parts[0]?.archived).toBe(false);
  });
});

describe('the parquet adapter', () => {
  it('replaces a part written again under the same name instead of adding a copy', async () => {
    const { view: target, entity } = requireView(registry, wide);
    const write = (big: number) =>
      withDuckDb((session) =>
        stores.offline.writeParts(session, target, entity, `SELECT 30::BIGINT AS rider_id, TIMESTAMP '2026-02-01 10:00:00' AS event_timestamp, ${big}::BIGINT AS big`, 'same-part', at('2026-04-11T00:00:00Z')),
      );
    expect(await write(1)).toEqual({ rows: 1, partitions: [`${wide}/date=2026-02-01/same-part.parquet`] });
    await write(2);
    expect((await stores.offline.listPartitions(wide, { from: '2026-02-01', to: '2026-02-01' })).map((p) => p.name)).toEqual([`${wide}/date=2026-02-01/same-part.parquet`]);
    const rows = await trainingSet([`${wide}:big`], [{ rider_id: 30, event_timestamp: '2026-02-01T10:00:00Z' }]);
    expect(rows[0]?.[`${wide}:big`]).toBe(2);
  });

  it('archives only partitions before the cutoff, and a query that needs one is refused naming it', async () => {
    // The cutoff applies to the whole container, which other tests share: theirs are all later.
    await push(wide, [{ rider_id: 40, event_timestamp: '1990-01-05T00:00:00Z', big: 1 }, { rider_id: 40, event_timestamp: '1990-01-06T00:00:00Z', big: 2 }], '2026-04-11T00:00:00Z');
    const moved = (await stores.offline.archiveBefore('1990-01-06')).filter((name) => name.startsWith(`${wide}/`));
    expect(moved).toEqual([expect.stringMatching(new RegExp(`^${wide}/date=1990-01-05/`))]);
    const parts = await stores.offline.listPartitions(wide, { from: '1990-01-05', to: '1990-01-06' });
    expect(parts.map((p) => [p.date, p.archived])).toEqual([
      ['1990-01-05', true],
      ['1990-01-06', false],
    ]);
    const refused = await trainingSet([`${wide}:big`], [{ rider_id: 40, event_timestamp: '1990-01-06T00:00:01Z' }]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConflictError);
    expect((refused as ConflictError).details).toEqual([{ field: `offline/${moved[0]}`, problem: 'is in the archive tier: rehydrate it' }]);
  });
});

describe('ingestion and the event-time bound (issue 12 item 10)', () => {
  it('quarantines a file with a row further ahead than ARBOR_FEATURE_MAX_FUTURE_SECONDS, writing nothing of it; a row at the bound is taken', async () => {
    // The settings default, 300 s, written out: T + 300 s is the last instant taken.
    expect(services.settings.ARBOR_FEATURE_MAX_FUTURE_SECONDS).toBe(300);
    // As in production, where the file came from `ingest` and parts go to `offline`.
    await services.ensureContainer(ingestContainer);
    await services.ensureContainer(offlineContainer);
    const csv = (rows: string[]) => Buffer.from(['rider_id,event_timestamp,count', ...rows].join('\n'));
    const refused = await ingestFile(services, stores, registry, { view: ingested, file: 'ahead.csv', content: csv([`1,${T},1`, `2,${plus(301)},2`]) }, at(T));
    expect(refused).toEqual({
      status: 'quarantined',
      view: ingested,
      problems: [{ field: 'event_timestamp', problem: expect.stringMatching(/^1 row\(s\) are more than 300 s ahead of now .*; the first is on line 3$/) }],
    });
    expect(await stores.offline.listPartitions(ingested)).toEqual([]);
    const read = async () => (await readOnline(stores.online, planLookup(registry, [`${ingested}:count`]), [`${ingested}:count`], [{ rider_id: 1 }, { rider_id: 2 }], at(T))).map((r) => r.status[`${ingested}:count`]);
    expect(await read()).toEqual(['missing', 'missing']);

    const taken = await ingestFile(services, stores, registry, { view: ingested, file: 'at-bound.csv', content: csv([`1,${T},1`, `2,${plus(300)},2`]) }, at(T));
    expect(taken).toMatchObject({ status: 'ingested', rows: 2, online: { written: 2, older: 0 } });
    expect(await read()).toEqual(['present', 'present']);
  });

  it('quarantines a file whose event times carry no zone, as a push refuses them; offsets of any zone are taken', async () => {
    await services.ensureContainer(ingestContainer);
    const csv = (rows: string[]) => Buffer.from(['rider_id,event_timestamp,count', ...rows].join('\n'));
    const zoneless = T.replace(/Z$/, '').replace('T', ' ');
    const refused = await ingestFile(services, stores, registry, { view: ingested, file: 'no-zone.csv', content: csv([`1,${T},1`, `2,${zoneless},2`]) }, at(T));
    expect(refused).toEqual({
      status: 'quarantined',
      view: ingested,
      problems: [{ field: 'event_timestamp', problem: '1 row(s) are not a non-null ISO 8601 timestamp with a zone (Z or +hh:mm); the first is on line 3' }],
    });
    const offset = '2026-04-10T11:00:00.000-01:00'; // T, an hour behind UTC
    const taken = await ingestFile(services, stores, registry, { view: ingested, file: 'zones.csv', content: csv([`1,${T},1`, `2,${T.replace(/Z$/, '+00:00')},2`, `3,${offset},3`]) }, at(T));
    expect(taken).toMatchObject({ status: 'ingested', rows: 3 });
  });
});

describe('ingestion ties (issue 21: newest row wins, ties included)', () => {
  it('keeps the first row of a file for a key and event time online, as a pushed batch does', async () => {
    await services.ensureContainer(ingestContainer);
    await services.ensureContainer(offlineContainer);
    const content = Buffer.from(['rider_id,event_timestamp,count', `7,${T},1`, `7,${T},2`, `8,${plus(-1)},5`, `8,${T},6`, `8,${plus(-2)},7`].join('\n'));
    const outcome = await ingestFile(services, stores, registry, { view: ingested, file: 'ties.csv', content }, at(T));
    expect(outcome).toMatchObject({ status: 'ingested', rows: 5 });
    const refs = [`${ingested}:count`];
    const results = await readOnline(stores.online, planLookup(registry, refs), refs, [{ rider_id: 7 }, { rider_id: 8 }], at(T));
    expect(results.map((r) => r.values[`${ingested}:count`])).toEqual([1, 6]);
  });
});
