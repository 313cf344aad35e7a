import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { jsonApi } from '../support/json-api.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';

/**
 * Issue 19, "Getting data in" and "Errors a newcomer can act on": what became of each file
 * dropped for ingestion, one naming rule (names with `-` and `_` work end to end, through the
 * parquet offline store and DuckDB), and an unknown view answered the same on every route.
 */
const iso = (ms: number) => new Date(ms).toISOString();
const hex = () => uniqueName('x').slice(2);

describe('ingestion outcome, naming rule and unknown views through the local host', () => {
  let host: HostProcess;
  const call = jsonApi(() => host);
  // Names with both `-` and `_`: the view's parquet paths, its SQL identifiers and its files all carry them.
  const rider = `rider-e_${hex()}`;
  const view = `trip-stats_${hex()}`;
  const definitions = {
    entities: [{ name: rider, joinKeys: [{ name: 'rider-id', type: 'int64' }] }],
    featureViews: [
      {
        name: view,
        entity: rider,
        ttlSeconds: 0,
        online: true,
        features: [
          { name: 'fare-avg', type: 'float64' },
          { name: 'trip_count', type: 'int64' },
        ],
      },
    ],
  };
  const ingest = blobClient().getContainerClient('ingest');
  const quarantine = blobClient().getContainerClient('ingest-quarantine');
  type Entry = { file: string; state: string; rows?: number; partitions?: string[]; at: string; sameAs?: string; problems?: Array<{ field: string; problem: string }>; quarantinedAs?: string };
  /** The status once every named file has an entry. */
  const statusWith = (target: string, files: string[]) =>
    eventually(async () => {
      const answer = await call('GET', `features/ingest/${target}?limit=100`);
      if (answer.status !== 200) return undefined;
      const entries = answer.body.files as Entry[];
      return files.every((f) => entries.some((e) => e.file === f)) ? entries : undefined;
    }, 30_000);

  beforeAll(async () => {
    host = await startHostProcess({ 'AzureWebJobs.ingest-feature-file.Disabled': 'false' });
    await ingest.createIfNotExists();
    const applied = await call('POST', 'features/registry', definitions);
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('lists each dropped file with what became of it: ingested, unchanged, quarantined with the reason', async () => {
    const now = Date.now();
    const good = `rider-id,event_timestamp,fare-avg,trip_count\n1,${iso(now - 60_000)},12.5,3\n2,${iso(now - 120_000)},8.25,1\n3,${iso(now - 3 * 86_400_000)},5,2\n`;
    await ingest.getBlockBlobClient(`${view}/good.csv`).upload(good, good.length);
    const first = await statusWith(view, [`${view}/good.csv`]);
    const ingested = first.find((e) => e.file === `${view}/good.csv`);
    expect(ingested).toMatchObject({ state: 'ingested', rows: 3 });
    expect(ingested?.partitions?.length).toBe(2);
    for (const partition of ingested?.partitions ?? []) expect(partition).toMatch(new RegExp(`^${view}/date=\\d{4}-\\d{2}-\\d{2}/ingest-`));
    expect(Date.parse(ingested?.at ?? '')).toBeGreaterThanOrEqual(now - 1000);

    // The same bytes under another name, then a file with a wrong type in one cell.
    await ingest.getBlockBlobClient(`${view}/copy.csv`).upload(good, good.length);
    const bad = `rider-id,event_timestamp,trip_count\n4,${iso(now)},7\n5,${iso(now)},seven\n`;
    await ingest.getBlockBlobClient(`${view}/bad.csv`).upload(bad, bad.length);
    const entries = await statusWith(view, [`${view}/good.csv`, `${view}/copy.csv`, `${view}/bad.csv`]);
    expect(entries.find((e) => e.file === `${view}/copy.csv`)).toMatchObject({ state: 'unchanged', sameAs: `${view}/good.csv` });
    expect(entries.find((e) => e.file === `${view}/copy.csv`)?.rows).toBeUndefined();
    expect(entries.find((e) => e.file === `${view}/bad.csv`)).toMatchObject({
      state: 'quarantined',
      problems: [{ field: 'trip_count', problem: expect.stringMatching(/not BIGINT/) }],
      quarantinedAs: `ingest-quarantine/${view}/bad.csv`,
    });
    expect(await quarantine.getBlobClient(`${view}/bad.csv`).exists()).toBe(true);
    // Only the documented fields: no Cosmos id, partition key, kind or system field.
    const documented = new Set(['file', 'sha256', 'bytes', 'state', 'at', 'rows', 'partitions', 'sameAs', 'problems', 'quarantinedAs']);
    for (const entry of entries) expect(Object.keys(entry).filter((key) => !documented.has(key)), entry.file).toEqual([]);
    // Newest first, and ?limit= bounds the list.
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const one = await call('GET', `features/ingest/${view}?limit=1`);
    expect(one.status).toBe(200);
    expect(one.body.files).toHaveLength(1);
    expect(one.body.files[0]).toEqual(entries[0]);
  });

  it('answers bad ingest status requests with 400 naming the field', async () => {
    const cases: Array<[string, string]> = [
      [`features/ingest/Trip_Stats`, 'view'],
      [`features/ingest/9lives`, 'view'],
      [`features/ingest/${view}?limit=0`, '?limit'],
      [`features/ingest/${view}?limit=101`, '?limit'],
      [`features/ingest/${view}?limit=ten`, '?limit'],
    ];
    for (const [path, field] of cases) {
      const answer = await call('GET', path);
      expect(answer.status, path).toBe(400);
      expect((answer.body.error.details as Array<{ field: string }>).map((d) => d.field), path).toContain(field);
    }
  });

  it('keeps a view named with - and _ working offline: pushed, ingested, materialized, and joined into a training set', async () => {
    const now = Date.now();
    const pushed = await call('POST', 'features/push', {
      view,
      to: 'offline',
      rows: [{ 'rider-id': 9, event_timestamp: iso(now - 7_200_000), 'fare-avg': 20.5, trip_count: 11 }],
    });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
    expect(pushed.body.offline.rows).toBe(1);
    const training = await call('POST', 'features/historical', {
      features: [`${view}:fare-avg`, `${view}:trip_count`],
      entityRows: [
        { 'rider-id': 9, event_timestamp: iso(now) },
        { 'rider-id': 9, event_timestamp: iso(now - 3 * 3_600_000) },
        { 'rider-id': 1, event_timestamp: iso(now) },
      ],
    });
    expect(training.status, JSON.stringify(training.body)).toBe(200);
    expect(training.body.rows).toEqual([
      { 'rider-id': 9, event_timestamp: iso(now), [`${view}:fare-avg`]: 20.5, [`${view}:trip_count`]: 11 },
      { 'rider-id': 9, event_timestamp: iso(now - 3 * 3_600_000), [`${view}:fare-avg`]: null, [`${view}:trip_count`]: null },
      // Rider 1 came from the ingested file of the first test, or from this one's own drop.
      expect.objectContaining({ 'rider-id': 1 }),
    ]);
    const materialized = await call('POST', 'features/materialize', { view });
    expect(materialized.status, JSON.stringify(materialized.body)).toBe(200);
    const online = await call('POST', 'features/online', { features: [`${view}:fare-avg`], entities: { 'rider-id': [9] } });
    expect(online.status, JSON.stringify(online.body)).toBe(200);
    expect(online.body.results[0]).toMatchObject({ values: { [`${view}:fare-avg`]: 20.5 }, status: { [`${view}:fare-avg`]: 'present' } });
  });

  it('holds datasets, pipelines, entities, views and features to one naming rule with one message', async () => {
    const name = `daily_trips-${hex()}`;
    const dataset = await call('PUT', `datasets/${name}`, { format: 'csv' });
    expect(dataset.status, JSON.stringify(dataset.body)).toBeLessThan(300);
    const pipeline = await call('POST', 'pipelines', { name, steps: [{ id: 'a', uses: 'noop', with: { echo: { ok: true } } }] });
    expect(pipeline.status, JSON.stringify(pipeline.body)).toBe(201);
    const message = 'must be 1-63 characters: lowercase letters, digits, _ and -, starting with a letter';
    const refusals = [
      await call('PUT', 'datasets/9-trips', { format: 'csv' }),
      await call('POST', 'pipelines', { name: '9-trips', steps: [{ id: 'a', uses: 'noop', with: {} }] }),
      await call('POST', 'features/registry', { entities: [{ name: '9-trips', joinKeys: [{ name: 'id', type: 'int64' }] }] }),
      await call('POST', 'features/registry', { featureViews: [{ name: 'Trips', entity: rider, ttlSeconds: 0, features: [{ name: 'x', type: 'int64' }] }] }),
      await call('POST', 'features/registry', { featureViews: [{ name: `v_${hex()}`, entity: rider, ttlSeconds: 0, features: [{ name: 'x.y', type: 'int64' }] }] }),
    ];
    for (const refused of refusals) {
      expect(refused.status, JSON.stringify(refused.body)).toBe(400);
      expect((refused.body.error.details as Array<{ problem: string }>).map((d) => d.problem)).toContain(message);
    }
  });

  it('quarantines a file for a folder that is no registered view with a hint that works', async () => {
    const later = `later_view-${hex()}`;
    const csv = `rider-id,event_timestamp,fare-avg\n1,${iso(Date.now() - 60_000)},1.5\n`;
    await ingest.getBlockBlobClient(`${later}/early.csv`).upload(csv, csv.length);
    await ingest.getBlockBlobClient(`Not A View/early.csv`).upload(csv, csv.length);
    const reasonOf = (folder: string) =>
      eventually(async () => {
        const blob = quarantine.getBlobClient(`${folder}/early.csv.reason.json`);
        return (await blob.exists()) ? (JSON.parse((await blob.downloadToBuffer()).toString()) as { problems: Array<{ field: string; problem: string }> }) : undefined;
      }, 30_000);
    // A folder that can never be a view names no call; one that can names the call that makes it one.
    expect((await reasonOf('Not A View')).problems[0]?.problem).not.toMatch(/POST|PUT/);
    const hint = (await reasonOf(later)).problems[0];
    expect(hint).toMatchObject({ field: 'view', problem: expect.stringContaining('POST /api/features/registry') });
    const registered = await call('POST', 'features/registry', {
      featureViews: [{ name: later, entity: rider, ttlSeconds: 0, features: [{ name: 'fare-avg', type: 'float64' }] }],
    });
    expect(registered.status, JSON.stringify(registered.body)).toBe(200);
    // Once registered, the view's status shows the file quarantined before it existed.
    const entries = await statusWith(later, [`${later}/early.csv`]);
    expect(entries[0]).toMatchObject({ file: `${later}/early.csv`, state: 'quarantined', problems: [hint] });
  });

  it('answers an unknown feature view with 404 unknown_view naming the field, on every route', async () => {
    const unknown = `no_such_view-${hex()}`;
    const window = { start: iso(Date.now() - 86_400_000), end: iso(Date.now()) };
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', 'features/online', { features: [`${view}:trip_count`, `${unknown}:x`], entities: { 'rider-id': [1] } }, 'features[1]'],
      ['POST', 'features/push', { view: unknown, rows: [{ 'rider-id': 1, event_timestamp: iso(Date.now()) }] }, 'view'],
      ['POST', 'features/historical', { features: [`${unknown}:x`], entityRows: [{ 'rider-id': 1, event_timestamp: iso(Date.now()) }] }, 'features[0]'],
      ['POST', 'features/materialize', { view: unknown }, 'view'],
      ['POST', 'drift/run', { view: unknown, reference: window, current: { lastHours: 1 } }, 'view'],
      ['POST', 'drift/profiles', { name: 'p1', view: unknown, window }, 'view'],
      ['GET', `drift/${unknown}`, undefined, 'view'],
      ['GET', `features/ingest/${unknown}`, undefined, 'view'],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await call(method, path, body);
      expect(answer.status, `${path} ${JSON.stringify(answer.body)}`).toBe(404);
      expect(answer.body.error.code, path).toBe('unknown_view');
      expect(answer.body.error.details, path).toEqual([{ field, problem: `"${unknown}" is not a registered feature view` }]);
    }
  });
});
