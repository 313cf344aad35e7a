import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient, redisClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { jsonApi } from '../support/json-api.js';

const unique = (prefix: string) => uniqueName(prefix, '_');
const iso = (ms: number) => new Date(ms).toISOString();

/** Issue 12 items 10 (event_timestamp), 14 (int64) and 15 (stale, then missing), through the local host. */
describe('feature store input edges, through the local host', () => {
  let host: HostProcess;
  const call = jsonApi(() => host);
  const raw = redisClient();
  const offline = blobClient().getContainerClient('offline');
  const driver = unique('driver');
  const stats = unique('stats');
  const brief = unique('brief');
  /** Only refused rows are ever sent to it: it must stay empty, online and offline. */
  const untouched = unique('untouched');
  const maxFutureSeconds = 60;
  const graceSeconds = 2;

  const key = (id: string | number) => `${host.redisPrefix}f:default:${driver}:${id}`;
  const parts = async (view: string) => {
    const names: string[] = [];
    // The offline container exists once anything was written to it, by this host or another.
    if (!(await offline.exists())) return names;
    for await (const blob of offline.listBlobsFlat({ prefix: `${view}/` })) names.push(blob.name);
    return names;
  };
  const detailsOf = (body: Record<string, any>) => (body.error?.details ?? []) as Array<{ field: string; problem: string }>;

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_FEATURE_MAX_FUTURE_SECONDS: String(maxFutureSeconds), ARBOR_FEATURE_STALE_GRACE_SECONDS: String(graceSeconds) });
    const applied = await call('POST', 'features/registry', {
      entities: [{ name: driver, joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      featureViews: [
        { name: stats, entity: driver, ttlSeconds: 86_400, features: [{ name: 'trips', type: 'int64' }] },
        { name: brief, entity: driver, ttlSeconds: 1, features: [{ name: 'seen', type: 'int64' }] },
        { name: untouched, entity: driver, ttlSeconds: 86_400, features: [{ name: 'trips', type: 'int64' }] },
      ],
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  });
  afterAll(async () => {
    raw.disconnect();
    await host.stop();
  });

  describe('event_timestamp in the future (item 10)', () => {
    it('refuses a row further ahead than ARBOR_FEATURE_MAX_FUTURE_SECONDS with 400 naming the field, and writes nothing', async () => {
      for (const to of ['online', 'offline', 'both']) {
        const refused = await call('POST', 'features/push', {
          view: untouched,
          to,
          rows: [
            { driver_id: 100, event_timestamp: iso(Date.now() - 1000), trips: 1 },
            { driver_id: 101, event_timestamp: iso(Date.now() + (maxFutureSeconds + 3600) * 1000), trips: 2 },
          ],
        });
        expect(refused.status, `${to}: ${refused.text}`).toBe(400);
        expect(detailsOf(refused.body)).toEqual([{ field: 'rows[1].event_timestamp', problem: expect.stringMatching(/ahead of now.*ARBOR_FEATURE_MAX_FUTURE_SECONDS/) }]);
      }
      expect(await raw.exists(key(100), key(101))).toBe(0);
      expect(await parts(untouched)).toEqual([]);
    });

    it('accepts a row within the allowance, and a row from year 9999 cannot pin a value', async () => {
      const ahead = await call('POST', 'features/push', { view: stats, rows: [{ driver_id: 102, event_timestamp: iso(Date.now() + 30_000), trips: 3 }] });
      expect(ahead.status, ahead.text).toBe(200);
      const pinned = await call('POST', 'features/push', { view: stats, rows: [{ driver_id: 102, event_timestamp: '9999-12-31T23:59:59Z', trips: 4 }] });
      expect(pinned.status).toBe(400);
      const read = await call('POST', 'features/online', { features: [`${stats}:trips`], entities: { driver_id: [102] } });
      expect(read.body.results[0].values[`${stats}:trips`]).toBe(3);
    });
  });

  describe('int64 (item 14)', () => {
    it('refuses values and join keys beyond the int64 range with 400 naming each, online and with "both", and stores nothing', async () => {
      for (const to of ['online', 'both']) {
        const refused = await call('POST', 'features/push', {
          view: untouched,
          to,
          rows: [
            { driver_id: 200, event_timestamp: iso(Date.now()), trips: '9999999999999999999' },
            { driver_id: '9223372036854775808', event_timestamp: iso(Date.now()), trips: 1 },
            { driver_id: 201, event_timestamp: iso(Date.now()), trips: '-9223372036854775809' },
          ],
        });
        expect(refused.status, `${to}: ${refused.text}`).toBe(400);
        expect(detailsOf(refused.body).map((d) => d.field)).toEqual(['rows[0].trips', 'rows[1].driver_id', 'rows[2].trips']);
        expect(detailsOf(refused.body)[0]?.problem).toMatch(/int64/);
      }
      expect(await raw.exists(key(200), key(201), key('9223372036854775808'))).toBe(0);
      expect(await parts(untouched)).toEqual([]);

      const read = await call('POST', 'features/online', { features: [`${stats}:trips`], entities: { driver_id: ['9999999999999999999'] } });
      expect(read.status).toBe(400);
      expect(detailsOf(read.body).map((d) => d.field)).toEqual(['entities.driver_id[0]']);
    });

    it('takes both ends of the range exactly, as keys and as values, online and offline', async () => {
      const max = '9223372036854775807';
      const min = '-9223372036854775808';
      const now = Date.now() - 60_000;
      const pushed = await call('POST', 'features/push', {
        view: stats,
        to: 'both',
        rows: [
          { driver_id: max, event_timestamp: iso(now), trips: min },
          { driver_id: min, event_timestamp: iso(now), trips: max },
        ],
      });
      expect(pushed.status, pushed.text).toBe(200);
      const online = await call('POST', 'features/online', { features: [`${stats}:trips`], entities: { driver_id: [max, min] } });
      expect(online.body.results.map((r: { entity: unknown; values: Record<string, unknown> }) => [r.entity, r.values[`${stats}:trips`]])).toEqual([
        [{ driver_id: max }, min],
        [{ driver_id: min }, max],
      ]);
      const historical = await call('POST', 'features/historical', {
        features: [`${stats}:trips`],
        entityRows: [
          { driver_id: max, event_timestamp: iso(now + 1000) },
          { driver_id: min, event_timestamp: iso(now + 1000) },
        ],
      });
      expect(historical.status, historical.text).toBe(200);
      expect(historical.body.rows.map((r: Record<string, unknown>) => r[`${stats}:trips`])).toEqual([min, max]);
    });

    it('reads key 42 as "042", "0042" or 42 alike, online as in /historical, keyed in canonical decimal', async () => {
      const at = Date.now() - 10_000;
      const pushed = await call('POST', 'features/push', { view: stats, to: 'both', rows: [{ driver_id: '0042', event_timestamp: iso(at), trips: '007' }] });
      expect(pushed.status, pushed.text).toBe(200);
      expect(await raw.hgetall(key(42))).toMatchObject({ '1.0': '7' });
      expect(await raw.exists(key('0042'))).toBe(0);

      const online = await call('POST', 'features/online', { features: [`${stats}:trips`], entities: { driver_id: ['042', 42, '0042'] } });
      expect(online.status, online.text).toBe(200);
      for (const result of online.body.results) {
        expect(result.entity).toEqual({ driver_id: 42 });
        expect(result.status[`${stats}:trips`]).toBe('present');
        expect(result.values[`${stats}:trips`]).toBe(7);
      }
      const historical = await call('POST', 'features/historical', {
        features: [`${stats}:trips`],
        entityRows: ['042', 42, '0042'].map((driver_id) => ({ driver_id, event_timestamp: iso(at + 1000) })),
      });
      expect(historical.body.rows.map((r: Record<string, unknown>) => r[`${stats}:trips`])).toEqual([7, 7, 7]);
    });

    it('refuses key text online and in /historical alike when it is not a plain decimal', async () => {
      for (const bad of ['+42', ' 42', '4.2', '0x2a', '']) {
        const online = await call('POST', 'features/online', { features: [`${stats}:trips`], entities: { driver_id: [bad] } });
        expect(online.status, `online ${JSON.stringify(bad)}`).toBe(400);
        const historical = await call('POST', 'features/historical', { features: [`${stats}:trips`], entityRows: [{ driver_id: bad, event_timestamp: iso(Date.now()) }] });
        expect(historical.status, `historical ${JSON.stringify(bad)}: ${historical.text}`).toBe(400);
        expect(detailsOf(historical.body)[0]?.field).toBe('entityRows[0].driver_id');
      }
    });
  });

  describe('past TTL: stale, then missing (item 15)', () => {
    it('reads a value past its TTL as stale for the grace period, and missing only after Redis drops the key', async () => {
      const eventTime = Date.now();
      const pushed = await call('POST', 'features/push', { view: brief, rows: [{ driver_id: 300, event_timestamp: iso(eventTime), seen: 1 }] });
      expect(pushed.status, pushed.text).toBe(200);
      const seen: Array<{ status: string; at: number }> = [];
      await eventually(
        async () => {
          const read = await call('POST', 'features/online', { features: [`${brief}:seen`], entities: { driver_id: [300] } });
          const status = read.body.results?.[0]?.status?.[`${brief}:seen`] as string;
          seen.push({ status, at: Date.now() });
          return status === 'missing' ? true : undefined;
        },
        15_000,
        50,
      );
      const firstStale = seen.find((s) => s.status === 'stale');
      const firstMissing = seen.find((s) => s.status === 'missing') as { at: number };
      expect(firstStale, `statuses: ${seen.map((s) => s.status).join(', ')}`).toBeDefined();
      // Stale only once the TTL (1 s) has passed; missing no earlier than TTL plus the grace (2 s).
      expect((firstStale as { at: number }).at).toBeGreaterThan(eventTime + 1000);
      expect(firstMissing.at).toBeGreaterThanOrEqual(eventTime + 3000);
      expect(seen.slice(seen.indexOf(firstStale as { status: string; at: number })).every((s) => s.status !== 'present')).toBe(true);
    });
  });
});
