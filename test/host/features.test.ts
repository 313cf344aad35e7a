import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { jsonApi } from '../support/json-api.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { parquetRows } from '../support/parquet.js';
import { pipelinesApi } from '../support/pipelines-api.js';

/** View and entity names are shared by every host on the run's Azurite, so each is unique. */
const unique = (prefix: string) => uniqueName(prefix, '_');
const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('the feature store through the local host', () => {
  let host: HostProcess;
  const driver = unique('driver');
  const stats = unique('driver_stats');
  const profile = unique('driver_profile');
  const ranking = unique('ranking');
  const offline = blobClient().getContainerClient('offline');

  const call = jsonApi(() => host);
  const definitions = () => ({
    entities: [{ name: driver, joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
    featureViews: [
      {
        name: stats,
        entity: driver,
        ttlSeconds: 3 * 86_400,
        online: true,
        features: [
          { name: 'trips', type: 'int64' },
          { name: 'rating', type: 'float64' },
          { name: 'active', type: 'bool' },
          { name: 'embedding', type: 'float_vector', dimension: 3 },
        ],
      },
      { name: profile, entity: driver, ttlSeconds: 0, online: true, features: [{ name: 'city', type: 'string' }] },
    ],
    featureServices: [{ name: ranking, features: [`${stats}:trips`, `${profile}:city`] }],
  });
  /** Each part with its last write, so a rewrite of the same name shows. */
  const partsOf = async (view: string) => {
    const names: string[] = [];
    for await (const blob of offline.listBlobsFlat({ prefix: `${view}/` })) names.push(`${blob.name}@${blob.properties.lastModified.toISOString()}`);
    return names.sort();
  };

  beforeAll(async () => {
    host = await startHostProcess({
      ARBOR_OFFLINE_ARCHIVE_SCHEDULE: '* * * * * *',
      ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS: '365',
      'AzureWebJobs.ingest-feature-file.Disabled': 'false',
    });
    const applied = await call('POST', 'features/registry', definitions());
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
  });
  afterAll(async () => {
    await host.stop();
  });

  it('validates definitions all at once, stores nothing on error, and refuses incompatible changes', async () => {
    const bad = await call('POST', 'features/registry', {
      entities: [{ name: 'Bad-Name', joinKeys: [] }],
      featureViews: [{ name: unique('v'), entity: 'nobody', ttlSeconds: -1, features: [{ name: 'x', type: 'decimal' }] }],
    });
    expect(bad.status).toBe(400);
    const fields = (bad.body.error.details as Array<{ field: string }>).map((d) => d.field);
    expect(fields).toEqual(expect.arrayContaining(['entities[0].name', 'entities[0].joinKeys', 'featureViews[0].ttlSeconds', 'featureViews[0].features[0].type']));

    const crossBad = await call('POST', 'features/registry', {
      featureViews: [{ name: unique('orphan'), entity: unique('nobody'), ttlSeconds: 0, features: [{ name: 'x', type: 'int64' }, { name: 'x', type: 'bool' }] }],
      featureServices: [{ name: unique('svc'), features: [`${stats}:no_such_feature`] }],
    });
    expect(crossBad.status).toBe(400);
    expect((crossBad.body.error.details as Array<{ field: string }>).map((d) => d.field)).toEqual(
      expect.arrayContaining(['featureViews[0].entity', 'featureViews[0].features[1].name', 'featureServices[0].features[0]']),
    );

    const changed = definitions();
    changed.featureViews[0]!.features[0] = { name: 'trips', type: 'string' };
    changed.featureViews[1]!.features.push({ name: 'country', type: 'string' });
    const incompatible = await call('POST', 'features/registry', changed);
    expect(incompatible.status).toBe(409);
    expect(JSON.stringify(incompatible.body.error.details)).toContain('cannot change \\"trips\\" from int64 to string');

    const listed = await call('GET', 'features/registry');
    const view = (listed.body.featureViews as Array<{ name: string; features: Array<{ name: string; type: string }>; version: number }>).find((v) => v.name === stats);
    expect(view?.features.find((f) => f.name === 'trips')?.type).toBe('int64');
    expect(listed.body.featureViews.find((v: { name: string }) => v.name === profile).features).toHaveLength(1);
    expect(listed.body.featureViews.some((v: { name: string }) => v.name.startsWith('orphan'))).toBe(false);

    // Re-applying the same definitions changes nothing; adding a feature is compatible.
    expect((await call('POST', 'features/registry', definitions())).body.unchanged).toHaveLength(4);
    const added = definitions();
    added.featureViews[1]!.features.push({ name: 'country', type: 'string' });
    const addedResult = await call('POST', 'features/registry', added);
    expect(addedResult.body.updated).toEqual([`featureView:${profile}`]);
  });

  it('round-trips online values with their status, keeps the newest row, and reads past-TTL values as stale', async () => {
    const now = Date.now();
    const pushed = await call('POST', 'features/push', {
      view: stats,
      rows: [
        { driver_id: 1, event_timestamp: iso(now - 60_000), trips: 10, rating: 4.5, active: true, embedding: [0.5, 1, 1.5] },
        { driver_id: 2, event_timestamp: iso(now - 4 * day), trips: 3, rating: 3.9, active: false },
      ],
    });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
    expect(pushed.body.online).toEqual({ written: 2, older: 0 });
    // An older row for driver 1 arrives late: skipped. A newer one for driver 2 replaces the stale one.
    const late = await call('POST', 'features/push', {
      view: stats,
      rows: [
        { driver_id: 1, event_timestamp: iso(now - 3_600_000), trips: 7, rating: 1 },
        { driver_id: 2, event_timestamp: iso(now - 30_000), trips: 4, rating: null },
      ],
    });
    expect(late.body.online).toEqual({ written: 1, older: 1 });
    await call('POST', 'features/push', { view: profile, rows: [{ driver_id: 1, event_timestamp: iso(now - 400 * day), city: 'Oslo' }] });

    const features = [`${profile}:city`, `${stats}:trips`, `${stats}:embedding`, `${stats}:rating`, `${stats}:active`];
    const read = await call('POST', 'features/online', { features, entities: { driver_id: [2, 1, 99] } });
    expect(read.status, JSON.stringify(read.body)).toBe(200);
    const [two, one, unknown] = read.body.results;
    expect(one).toEqual({
      entity: { driver_id: 1 },
      values: { [`${profile}:city`]: 'Oslo', [`${stats}:trips`]: 10, [`${stats}:embedding`]: [0.5, 1, 1.5], [`${stats}:rating`]: 4.5, [`${stats}:active`]: true },
      status: { [`${profile}:city`]: 'present', [`${stats}:trips`]: 'present', [`${stats}:embedding`]: 'present', [`${stats}:rating`]: 'present', [`${stats}:active`]: 'present' },
    });
    expect(Object.keys(one.values)).toEqual(features);
    // Driver 2's newer row has no rating and no active flag: those fields are gone, not left over.
    expect(two.values).toMatchObject({ [`${stats}:trips`]: 4, [`${stats}:rating`]: null, [`${stats}:active`]: null });
    expect(two.status).toMatchObject({ [`${stats}:trips`]: 'present', [`${stats}:rating`]: 'missing', [`${profile}:city`]: 'missing' });
    expect(Object.values(unknown.status)).toEqual(features.map(() => 'missing'));
    // A feature service names the same features.
    const byService = await call('POST', 'features/online', { service: ranking, entities: { driver_id: [1] } });
    expect(byService.body.results[0].values).toEqual({ [`${stats}:trips`]: 10, [`${profile}:city`]: 'Oslo' });

    // A row older than the view's TTL is stored (nothing newer) but served as stale.
    const driver3 = await call('POST', 'features/push', { view: stats, rows: [{ driver_id: 3, event_timestamp: iso(now - 4 * day), trips: 1 }] });
    expect(driver3.body.online.written).toBe(1);
    const stale = await call('POST', 'features/online', { features: [`${stats}:trips`], entities: { driver_id: [3] } });
    expect(stale.body.results[0]).toMatchObject({ values: { [`${stats}:trips`]: null }, status: { [`${stats}:trips`]: 'stale' } });

    const metrics = await (await fetch(`${host.url}/api/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`arbor_feature_online_values_total\\{view="${stats}",status="stale"\\} [1-9]`));
    expect(metrics).toMatch(/arbor_feature_online_request_seconds_count [1-9]/);
  });

  it('answers bad online, push and historical requests with 400 naming the field, and writes nothing', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['features/online', { features: [`${stats}:nope`], entities: { driver_id: [1] } }, 'features[0]'],
      ['features/online', { features: [`${stats}:trips`], entities: { rider_id: [1] } }, 'entities.rider_id'],
      ['features/online', { features: [`${stats}:trips`], entities: { driver_id: ['x'] } }, 'entities.driver_id[0]'],
      ['features/online', { entities: { driver_id: [1] } }, 'features'],
      ['features/online', { service: 'no-such-service', entities: { driver_id: [1] } }, 'service'],
      ['features/push', { view: stats, rows: [{ driver_id: 50, event_timestamp: iso(Date.now()), trips: 1 }, { driver_id: 51, event_timestamp: 'yesterday', trips: 'many' }] }, 'rows[1].event_timestamp'],
      ['features/push', { view: stats, rows: [{ driver_id: 52, event_timestamp: iso(Date.now()), embedding: [1, 2] }] }, 'rows[0].embedding'],
      ['features/historical', { features: [`${stats}:trips`], entityRows: [{ driver_id: 1 }] }, 'entityRows[0].event_timestamp'],
      ['features/materialize', { view: stats, start: iso(Date.now()), end: iso(Date.now() - day) }, 'end'],
    ];
    for (const [path, body, field] of cases) {
      const response = await call('POST', path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect((response.body.error.details as Array<{ field: string }>).map((d) => d.field), path).toContain(field);
    }
    // The good first row of the refused push was not written either.
    const read = await call('POST', 'features/online', { features: [`${stats}:trips`], entities: { driver_id: [50] } });
    expect(read.body.results[0].status[`${stats}:trips`]).toBe('missing');
  });

  it('builds point-in-time-correct training sets, checked row by row against a brute-force join', async () => {
    // Generated history: 40 drivers, rows every few hours over 10 days, distinct times per driver.
    const start = Date.now() - 12 * day;
    const history: Array<{ driver_id: number; t: number; trips: number; rating: number }> = [];
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let id = 1; id <= 40; id++) {
      let t = start + Math.floor(random() * day);
      while (t < start + 10 * day) {
        history.push({ driver_id: id, t, trips: Math.floor(random() * 100), rating: Math.round(random() * 500) / 100 });
        t += Math.floor((2 + random() * 60) * 3_600_000);
      }
    }
    const view = unique('pit_stats');
    const applied = await call('POST', 'features/registry', {
      featureViews: [{ name: view, entity: driver, ttlSeconds: 36 * 3600, online: false, features: [{ name: 'trips', type: 'int64' }, { name: 'rating', type: 'float64' }] }],
    });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    const pushed = await call('POST', 'features/push', {
      view,
      to: 'offline',
      rows: history.map((h) => ({ driver_id: h.driver_id, event_timestamp: iso(h.t), trips: h.trips, rating: h.rating })),
    });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
    expect(pushed.body.offline.rows).toBe(history.length);
    expect(new Set((pushed.body.offline.partitions as string[]).map((p) => p.split('/')[1])).size).toBeGreaterThan(5);
    // A later write of the same (driver, event time) corrects it: the training set sees the correction.
    const corrected = history[10]!;
    const correction = await call('POST', 'features/push', { view, to: 'offline', rows: [{ driver_id: corrected.driver_id, event_timestamp: iso(corrected.t), trips: 9999, rating: 0.5 }] });
    expect(correction.status).toBe(200);
    corrected.trips = 9999;
    corrected.rating = 0.5;

    // Label rows: random times, plus some before any history (only future values) and some far past the last row.
    const labels: Array<{ driver_id: number; event_timestamp: string; label: number }> = [];
    for (let i = 0; i < 300; i++) {
      const when = start - day + Math.floor(random() * 13 * day);
      labels.push({ driver_id: 1 + Math.floor(random() * 42), event_timestamp: iso(when), label: i });
    }
    labels.push({ driver_id: corrected.driver_id, event_timestamp: iso(corrected.t + 1000), label: 300 });
    const response = await call('POST', 'features/historical', { features: [`${view}:rating`, `${view}:trips`], entityRows: labels });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const rows = response.body.rows as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(labels.length);

    let future = 0;
    let expired = 0;
    let matched = 0;
    labels.forEach((label, index) => {
      const at = Date.parse(label.event_timestamp);
      const candidates = history.filter((h) => h.driver_id === label.driver_id);
      const best = candidates.filter((h) => h.t <= at).sort((a, b) => b.t - a.t)[0];
      const fresh = best && best.t >= at - 36 * 3_600_000 ? best : undefined;
      if (!best && candidates.length) future++;
      if (best && !fresh) expired++;
      if (fresh) matched++;
      expect(rows[index], `label ${index}`).toEqual({ ...label, [`${view}:rating`]: fresh?.rating ?? null, [`${view}:trips`]: fresh?.trips ?? null });
    });
    // The generated data exercised every case.
    expect(future).toBeGreaterThan(0);
    expect(expired).toBeGreaterThan(0);
    expect(matched).toBeGreaterThan(100);
    expect(rows.at(-1)?.[`${view}:trips`]).toBe(9999);

    // The same training set as a parquet blob carries the same values.
    const asBlob = await call('POST', 'features/historical', { features: [`${view}:trips`], entityRows: labels.slice(0, 20), output: 'blob' });
    expect(asBlob.status).toBe(200);
    expect(asBlob.body).toMatchObject({ rowCount: 20, blob: { container: 'training-sets' } });
    // The caller's other columns (the label) travel with it, as they do inline.
    expect(asBlob.body.columns).toEqual(['driver_id', 'event_timestamp', 'label', `${view}:trips`]);
    const inline = (await call('POST', 'features/historical', { features: [`${view}:trips`], entityRows: labels.slice(0, 20) })).body.rows as Array<Record<string, unknown>>;
    const stored = await parquetRows(asBlob.body.blob.container as string, asBlob.body.blob.name as string);
    const byLabel = (rows: Array<Record<string, unknown>>) => rows.map((r) => [Number(r.label), r[`${view}:trips`] === null ? null : Number(r[`${view}:trips`])]).sort((a, b) => Number(a[0]) - Number(b[0]));
    expect(byLabel(stored)).toEqual(byLabel(inline));
  });

  it('materializes offline rows to the online store incrementally and idempotently', async () => {
    const view = unique('mat_stats');
    await call('POST', 'features/registry', { featureViews: [{ name: view, entity: driver, ttlSeconds: 0, online: true, features: [{ name: 'score', type: 'float64' }] }] });
    const now = Date.now();
    const rows = [];
    for (let id = 1; id <= 30; id++) for (let k = 0; k < 3; k++) rows.push({ driver_id: id, event_timestamp: iso(now - (3 - k) * 3_600_000), score: id * 10 + k });
    expect((await call('POST', 'features/push', { view, to: 'offline', rows })).status).toBe(200);
    const read = async (ids: number[]) =>
      ((await call('POST', 'features/online', { features: [`${view}:score`], entities: { driver_id: ids } })).body.results as Array<{ values: Record<string, unknown> }>).map((r) => r.values[`${view}:score`]);
    expect(await read([1, 30])).toEqual([null, null]);

    const first = await call('POST', 'features/materialize', { view });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ mode: 'incremental', entities: 30, written: 30, older: 0 });
    expect(await read([1, 30])).toEqual([12, 302]);

    const again = await call('POST', 'features/materialize', { view });
    expect(again.body).toMatchObject({ written: 0 });
    expect(again.body.watermark).toBe(first.body.watermark);

    // New offline rows for two drivers: only they change.
    await call('POST', 'features/push', { view, to: 'offline', rows: [{ driver_id: 5, event_timestamp: iso(now), score: -1 }, { driver_id: 6, event_timestamp: iso(now - day), score: -2 }] });
    const next = await call('POST', 'features/materialize', { view });
    expect(next.body.written).toBe(1);
    expect(next.body.watermark > first.body.watermark).toBe(true);
    expect(await read([5, 6, 7])).toEqual([-1, 62, 72]);

    // As a pipeline step (what a scheduled materialization pipeline runs): nothing new to write.
    const pipeline = `mat-${view.replaceAll('_', '-')}`;
    expect((await call('POST', 'pipelines', { name: pipeline, steps: [{ id: 'online', uses: 'features.materialize', with: { view } }] })).status).toBe(201);
    const pipelines = pipelinesApi(host);
    const run = await pipelines.finished(await pipelines.start(pipeline));
    expect(run.state, JSON.stringify(run)).toBe('succeeded');
    expect(run.steps.online?.outputs).toMatchObject({ view, mode: 'incremental', written: 0 });

    // A window backfill leaves the watermark alone and is just as idempotent.
    const window = await call('POST', 'features/materialize', { view, start: iso(now - 2 * day), end: iso(now + 1000) });
    expect(window.body).toMatchObject({ mode: 'window', written: 0 });
  });

  it('ingests good files once, quarantines bad ones with a reason, and writes nothing of them', async () => {
    const ingest = blobClient().getContainerClient('ingest');
    const quarantine = blobClient().getContainerClient('ingest-quarantine');
    await ingest.createIfNotExists();
    const now = Date.now();
    const csv = `driver_id,event_timestamp,trips,rating,active,embedding\n201,${iso(now - 60_000)},5,4.1,true,"[1,2,3]"\n202,${iso(now - 120_000)},6,,false,\n201,${iso(now - 7_200_000)},1,1.0,false,\n`;
    await ingest.getBlockBlobClient(`${stats}/good.csv`).upload(csv, csv.length);
    await eventually(async () => ((await partsOf(stats)).some((p) => p.includes('ingest-')) ? true : undefined));
    const online = await eventually(async () => {
      const body = (await call('POST', 'features/online', { features: [`${stats}:trips`, `${stats}:embedding`], entities: { driver_id: [201, 202] } })).body;
      return body.results[0].status[`${stats}:trips`] === 'present' ? body : undefined;
    });
    expect(online.results.map((r: { values: Record<string, unknown> }) => r.values)).toEqual([
      { [`${stats}:trips`]: 5, [`${stats}:embedding`]: [1, 2, 3] },
      { [`${stats}:trips`]: 6, [`${stats}:embedding`]: null },
    ]);
    const partsAfterGood = await partsOf(stats);

    // The same bytes under another name: recognised, nothing written twice.
    const hosts = blobClient().getContainerClient('azure-webjobs-hosts');
    await ingest.getBlockBlobClient(`${stats}/again.csv`).upload(csv, csv.length);
    await eventually(async () => {
      const receipt = hosts.getBlobClient(`blobreceipts/${host.env.WEBSITE_SITE_NAME}/ingest-feature-file/ingest/${stats}/again.csv`);
      return (await receipt.exists()) && JSON.parse((await receipt.downloadToBuffer()).toString()).status === 'done' ? true : undefined;
    });
    expect(await partsOf(stats)).toEqual(partsAfterGood);

    // Wrong type in one cell, and an unknown column: quarantined with reasons; nothing written.
    const bad = `driver_id,event_timestamp,trips\n301,${iso(now)},7\n302,${iso(now)},seven\n`;
    await ingest.getBlockBlobClient(`${stats}/bad.csv`).upload(bad, bad.length);
    const extra = `driver_id,event_timestamp,trips,speed\n303,${iso(now)},1,99\n`;
    await ingest.getBlockBlobClient(`${stats}/extra.csv`).upload(extra, extra.length);
    const reasonOf = (file: string) =>
      eventually(async () => {
        const blob = quarantine.getBlobClient(`${stats}/${file}.reason.json`);
        return (await blob.exists()) ? JSON.parse((await blob.downloadToBuffer()).toString()) : undefined;
      });
    expect((await reasonOf('bad.csv')).problems).toEqual([{ field: 'trips', problem: '1 row(s) are not BIGINT; the first is on line 3' }]);
    expect((await reasonOf('extra.csv')).problems[0]).toMatchObject({ field: 'speed' });
    expect((await quarantine.getBlobClient(`${stats}/bad.csv`).downloadToBuffer()).toString()).toBe(bad);
    await eventually(async () => (!(await ingest.getBlobClient(`${stats}/bad.csv`).exists()) ? true : undefined));
    expect(await partsOf(stats)).toEqual(partsAfterGood);
    const notWritten = await call('POST', 'features/online', { features: [`${stats}:trips`], entities: { driver_id: [301, 303] } });
    expect(notWritten.body.results.map((r: { status: Record<string, string> }) => r.status[`${stats}:trips`])).toEqual(['missing', 'missing']);
  });

  it('archives old partitions on its timer, and a training set that needs one gets a 409 naming it', async () => {
    const view = unique('old_stats');
    await call('POST', 'features/registry', { featureViews: [{ name: view, entity: driver, ttlSeconds: 86_400, online: false, features: [{ name: 'trips', type: 'int64' }] }] });
    const old = Date.parse('2020-03-01T12:00:00Z');
    await call('POST', 'features/push', {
      view,
      to: 'offline',
      rows: [
        { driver_id: 1, event_timestamp: iso(old), trips: 1 },
        { driver_id: 1, event_timestamp: iso(Date.now() - 3_600_000), trips: 2 },
      ],
    });
    const archived = await eventually(async () => {
      for await (const blob of offline.listBlobsFlat({ prefix: `${view}/date=2020-03-01/` })) if (blob.properties.accessTier === 'Archive') return blob.name;
      return undefined;
    });
    const recent = await call('POST', 'features/historical', { features: [`${view}:trips`], entityRows: [{ driver_id: 1, event_timestamp: iso(Date.now()) }] });
    expect(recent.body.rows[0][`${view}:trips`]).toBe(2);
    const refused = await call('POST', 'features/historical', { features: [`${view}:trips`], entityRows: [{ driver_id: 1, event_timestamp: '2020-03-01T13:00:00Z' }] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual([{ field: `offline/${archived}`, problem: 'is in the archive tier: rehydrate it' }]);
  });
});
