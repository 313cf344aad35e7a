import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { jsonApi, type JsonAnswer } from '../support/json-api.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { parquetRows } from '../support/parquet.js';

/** View and entity names are shared by every host on the run's Azurite, so each is unique. */
const unique = (prefix: string) => uniqueName(prefix, '_');
const day = 86_400_000;
const hour = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();
const finishedStates = ['succeeded', 'failed', 'cancelled'];

/**
 * Long feature-store work as jobs (docs/features.md, "Jobs"): a materialization or training set
 * above the inline limit answers 202 and runs as a durable orchestration the caller follows at
 * /api/jobs/{id}. The host takes one partition per materialization step, so a few dates make a
 * job of several steps.
 */
describe('feature-store jobs through the local host', () => {
  let host: HostProcess;
  const call = jsonApi(() => host);
  const driver = unique('jdriver');
  const stats = unique('jstats');
  const now = Date.now();
  /** Each of drivers 1..20 has a row on each of 5 days; the newest day's score is 100 + id. */
  const history: Array<{ driver_id: number; t: number; score: number }> = [];
  for (let d = 1; d <= 5; d++) for (let id = 1; id <= 20; id++) history.push({ driver_id: id, t: now - d * day - id * 60_000, score: d * 100 + id });

  const job = async (id: string) => (await call('GET', `jobs/${id}`)).body;
  const ended = (id: string, timeoutMs = 60_000) =>
    eventually(async () => {
      const current = await job(id);
      return finishedStates.includes(current.state) ? current : undefined;
    }, timeoutMs, 50);
  const readOnline = async (view: string, ids: number[]) =>
    ((await call('POST', 'features/online', { features: [`${view}:score`], entities: { driver_id: ids } })).body.results as Array<{ values: Record<string, unknown> }>).map((r) => r.values[`${view}:score`]);
  const accepted = (answer: JsonAnswer): string => {
    expect(answer.status, answer.text).toBe(202);
    expect(answer.body.state).toBe('queued');
    expect(answer.headers.get('location')).toBe(`${host.url}/api/jobs/${answer.body.jobId}`);
    expect(answer.body.statusUrl).toBe(answer.headers.get('location'));
    return answer.body.jobId as string;
  };
  const defineView = async (name: string) => {
    const applied = await call('POST', 'features/registry', { featureViews: [{ name, entity: driver, ttlSeconds: 0, online: true, features: [{ name: 'score', type: 'float64' }] }] });
    expect(applied.status, applied.text).toBe(200);
  };

  beforeAll(async () => {
    // The materialization timer would copy the test's views online behind the jobs' backs: once a year.
    // Steps of 5,000 rows: the 12,345-row training set below is put back together from 3 chunks.
    host = await startHostProcess({ ARBOR_FEATURE_JOB_BATCH_PARTITIONS: '1', ARBOR_TRAINING_SET_ROWS_PER_STEP: '5000', ARBOR_MATERIALIZE_SCHEDULE: '0 0 0 1 1 *' });
    const applied = await call('POST', 'features/registry', { entities: [{ name: driver, joinKeys: [{ name: 'driver_id', type: 'int64' }] }] });
    expect(applied.status, applied.text).toBe(200);
    await defineView(stats);
    const pushed = await call('POST', 'features/push', { view: stats, to: 'offline', rows: history.map((h) => ({ driver_id: h.driver_id, event_timestamp: iso(h.t), score: h.score })) });
    expect(pushed.status, pushed.text).toBe(200);
    expect(new Set(pushed.body.offline.partitions).size).toBe(5);
  });
  afterAll(async () => {
    await host.stop();
  });

  it('materializes more partitions than one step as a job: 202, progress to the end, counts and online values', async () => {
    expect(await readOnline(stats, [1, 20])).toEqual([null, null]);
    const id = accepted(await call('POST', 'features/materialize', { view: stats }));
    const done = await ended(id);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    expect(done.kind).toBe('materialize');
    expect(done.progress).toEqual({ done: 5, total: 5, unit: 'partitions' });
    // Newest dates first: the newest row of each driver is written, its 4 older rows are older.
    expect(done.result).toMatchObject({ view: stats, mode: 'incremental', partitionsRead: 5, entities: 100, written: 20, older: 80 });
    expect(done.error).toBeUndefined();
    expect(Date.parse(done.endedAt)).toBeGreaterThanOrEqual(Date.parse(done.startedAt));
    const ids = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(await readOnline(stats, ids)).toEqual(ids.map((i) => 100 + i));

    // The job moved the watermark: the next incremental run writes nothing. It still re-reads the
    // parts written in the last minute (the watermark's overlap), five of them, so it is a job too.
    const again = await ended(accepted(await call('POST', 'features/materialize', { view: stats })));
    expect(again.result).toMatchObject({ written: 0, watermark: done.result.watermark });
    // A request that reads one partition (one UTC date's window) answers inline.
    const date = Date.parse(iso(history.find((h) => h.score === 301)!.t).slice(0, 10));
    const small = await call('POST', 'features/materialize', { view: stats, start: iso(date), end: iso(date + day - 1) });
    expect(small.status, small.text).toBe(200);
    expect(small.body).toMatchObject({ mode: 'window', partitionsRead: 1, written: 0 });
    expect(small.body.older).toBeGreaterThan(0);

    // A finished job cannot be cancelled.
    const late = await call('POST', `jobs/${id}/cancel`);
    expect(late.status).toBe(409);
    expect(late.body.error.details).toEqual([{ field: 'state', problem: 'is succeeded' }]);
  });

  it('builds a training set of more than 10,000 rows as a job whose blob holds every row, in request order', async () => {
    // Label times fall between the pushed rows (or before them all), so each expectation is the newest row at or before it.
    const labels: Array<{ driver_id: number; event_timestamp: string; label: number }> = [];
    for (let i = 0; i < 12_345; i++) labels.push({ driver_id: 1 + (i % 20), event_timestamp: iso(now - 6 * day + (i % 131) * hour), label: i });
    const expected = labels.map((label) => {
      const at = Date.parse(label.event_timestamp);
      return history.filter((h) => h.driver_id === label.driver_id && h.t <= at).sort((a, b) => b.t - a.t)[0]?.score ?? null;
    });
    expect(new Set(expected).size).toBeGreaterThan(50);
    expect(expected.filter((v) => v === null).length).toBeGreaterThan(0);

    const id = accepted(await call('POST', 'features/historical', { features: [`${stats}:score`], entityRows: labels }));
    const done = await ended(id);
    expect(done.state, JSON.stringify(done)).toBe('succeeded');
    expect(done.progress).toEqual({ done: labels.length, total: labels.length, unit: 'rows' });
    expect(done.result).toMatchObject({ rowCount: labels.length, columns: ['driver_id', 'event_timestamp', 'label', `${stats}:score`], blob: { container: 'training-sets' } });
    const rows = await parquetRows(done.result.blob.container, done.result.blob.name, 'file');
    expect(rows.map((r) => Number(r.label))).toEqual(labels.map((l) => l.label));
    expect(rows.map((r) => (r[`${stats}:score`] === null ? null : Number(r[`${stats}:score`])))).toEqual(expected);
    expect(rows.map((r) => Number(r.driver_id))).toEqual(labels.map((l) => l.driver_id));
    // The job's staged rows and chunks are gone; the training set stays.
    const scratch: string[] = [];
    for await (const blob of blobClient().getContainerClient('training-sets').listBlobsFlat({ prefix: `jobs/${id}/` })) scratch.push(blob.name);
    expect(scratch).toEqual([]);
  });

  it('answers a small training set inline, and as a job when the caller asks for one', async () => {
    const labels = [
      { driver_id: 3, event_timestamp: iso(now - 2 * day + hour), label: 'a' },
      { driver_id: 7, event_timestamp: iso(now - 6 * day), label: 'b' },
    ];
    const inline = await call('POST', 'features/historical', { features: [`${stats}:score`], entityRows: labels });
    expect(inline.status, inline.text).toBe(200);
    expect(inline.body.rows).toEqual([{ ...labels[0], [`${stats}:score`]: 203 }, { ...labels[1], [`${stats}:score`]: null }]);

    const asks: Array<{ path: string; headers: Record<string, string> }> = [
      { path: 'features/historical?async=true', headers: {} },
      { path: 'features/historical', headers: { prefer: 'respond-async, wait=5' } },
    ];
    for (const ask of asks) {
      const response = await fetch(`${host.url}/api/${ask.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...ask.headers },
        body: JSON.stringify({ features: [`${stats}:score`], entityRows: labels }),
      });
      const text = await response.text();
      expect(response.status, text).toBe(202);
      expect(response.headers.get('preference-applied')).toBe('respond-async');
      const done = await ended((JSON.parse(text) as { jobId: string }).jobId);
      expect(done.state, JSON.stringify(done)).toBe('succeeded');
      const rows = await parquetRows(done.result.blob.container, done.result.blob.name, 'file');
      expect(rows.map((r) => [r.label, r[`${stats}:score`] === null ? null : Number(r[`${stats}:score`])])).toEqual([['a', 203], ['b', null]]);
    }
  });

  it('stops a job cancelled while it runs: before its next step, with the watermark left where it was', async () => {
    const view = unique('jcancel');
    await defineView(view);
    // 25 dates, one driver each: one step per partition, one driver written per step.
    const rows = Array.from({ length: 25 }, (_, i) => ({ driver_id: 1000 + i, event_timestamp: iso(now - (i + 1) * day), score: i }));
    expect((await call('POST', 'features/push', { view, to: 'offline', rows })).status).toBe(200);
    const id = accepted(await call('POST', 'features/materialize', { view }));
    // Cancel once the job has done a step, whatever the machine's speed: its progress says so first.
    await eventually(async () => ((await job(id)).progress.done >= 1 ? true : undefined), 60_000, 20);
    const cancel = await call('POST', `jobs/${id}/cancel`);
    expect(cancel.status, cancel.text).toBe(202);
    expect(cancel.body.cancelRequestedAt).toBeDefined();
    const done = await ended(id);
    expect(done.state, JSON.stringify(done)).toBe('cancelled');
    expect(done.progress.total).toBe(25);
    expect(done.progress.done).toBeGreaterThanOrEqual(1);
    expect(done.progress.done).toBeLessThan(25);
    expect(done.error).toBeUndefined();
    // What the job wrote before it stopped is online, and nothing more.
    const online = await readOnline(view, rows.map((r) => r.driver_id));
    const present = online.filter((v) => v !== null).length;
    expect(present).toBe(done.result.written);
    expect(present).toBeLessThan(25);
    expect(done.result.watermark).toBeUndefined();
    expect((await call('POST', `jobs/${id}/cancel`)).status).toBe(409);

    // The watermark did not move: a new job copies everything, the newest dates first.
    const rerun = await ended(accepted(await call('POST', 'features/materialize', { view })));
    expect(rerun.state).toBe('succeeded');
    expect(rerun.result).toMatchObject({ partitionsRead: 25, written: 25 - present, older: present });
    expect(await readOnline(view, rows.map((r) => r.driver_id))).toEqual(rows.map((r) => r.score));
  });

  it('fails a job whose input is bad when read, with the error code and message', async () => {
    const name = `${uniqueName('labels')}.csv`;
    const csv = `driver_id,event_timestamp\n1,${iso(now)}\n2,yesterday\n`;
    await blobClient().getContainerClient('training-sets').getBlockBlobClient(name).upload(csv, csv.length);
    const id = accepted(await call('POST', 'features/historical?async=true', { features: [`${stats}:score`], entityRowsBlob: { container: 'training-sets', name } }));
    const done = await ended(id);
    expect(done.state).toBe('failed');
    expect(done.error.code).toBe('validation_failed');
    expect(done.error.message).toMatch(/entityRowsBlob\.event_timestamp: 1 row\(s\) have no valid ISO 8601 timestamp/);
    expect(done.result).toBeUndefined();
  });

  it('lists recent jobs, newest first, bounded', async () => {
    const listed = await call('GET', 'jobs?limit=3');
    expect(listed.status).toBe(200);
    const jobs = listed.body.jobs as Array<{ id: string; createdAt: string; state: string }>;
    expect(jobs).toHaveLength(3);
    expect(jobs.map((j) => j.createdAt)).toEqual([...jobs.map((j) => j.createdAt)].sort().reverse());
    const cancelled = await call('GET', 'jobs?state=cancelled');
    expect((cancelled.body.jobs as Array<{ state: string }>).length).toBeGreaterThan(0);
    expect((cancelled.body.jobs as Array<{ state: string }>).every((j) => j.state === 'cancelled')).toBe(true);
    const all = await call('GET', 'jobs');
    expect((all.body.jobs as unknown[]).length).toBeLessThanOrEqual(20);
  });

  it('refuses bad input with 400 naming the field, unknown jobs with 404, and starts no job for a refused request', async () => {
    const before = ((await call('GET', 'jobs?limit=100')).body.jobs as unknown[]).length;
    const field = (answer: JsonAnswer) => (answer.body.error.details as Array<{ field: string }>)[0]?.field;

    const badId = await call('GET', 'jobs/not-a-job');
    expect(badId.status).toBe(400);
    expect(field(badId)).toBe('id');
    const unknown = 'job-materialize-20260101T000000Z-0123abcd';
    expect((await call('GET', `jobs/${unknown}`)).status).toBe(404);
    expect((await call('POST', `jobs/${unknown}/cancel`)).status).toBe(404);
    for (const query of ['limit=0', 'limit=101', 'limit=ten', 'state=done']) {
      const answer = await call('GET', `jobs?${query}`);
      expect(answer.status, query).toBe(400);
      expect(field(answer), query).toBe(`?${query.split('=')[0]}`);
    }

    const badAsync = await call('POST', 'features/materialize?async=maybe', { view: stats });
    expect(badAsync.status).toBe(400);
    expect(field(badAsync)).toBe('?async');
    const unknownView = await call('POST', 'features/materialize?async=true', { view: unique('nothing') });
    // Unknown views answer 404 unknown_view on every features route (issue 19), naming the field.
    expect(unknownView.status).toBe(404);
    expect(unknownView.body.error.code).toBe('unknown_view');
    expect(field(unknownView)).toBe('view');
    const badWindow = await call('POST', 'features/materialize?async=true', { view: stats, start: iso(now), end: iso(now - day) });
    expect(badWindow.status).toBe(400);
    expect(field(badWindow)).toBe('end');

    // A large request with one bad row is refused whole, before any job.
    const labels = Array.from({ length: 10_001 }, (_, i) => ({ driver_id: i % 20, event_timestamp: iso(now - day) }));
    labels[7_777] = { driver_id: 1, event_timestamp: 'not a time' };
    const badRow = await call('POST', 'features/historical', { features: [`${stats}:score`], entityRows: labels });
    expect(badRow.status, badRow.text).toBe(400);
    expect(field(badRow)).toBe('entityRows[7777].event_timestamp');
    const missingBlob = await call('POST', 'features/historical?async=true', { features: [`${stats}:score`], entityRowsBlob: { container: 'training-sets', name: `${uniqueName('none')}.csv` } });
    expect(missingBlob.status).toBe(400);
    expect(field(missingBlob)).toBe('entityRowsBlob');
    const badFormat = await call('POST', 'features/historical?async=true', { features: [`${stats}:score`], entityRowsBlob: { container: 'training-sets', name: 'labels.txt' } });
    expect(badFormat.status).toBe(400);
    expect(field(badFormat)).toBe('entityRowsBlob.name');

    expect(((await call('GET', 'jobs?limit=100')).body.jobs as unknown[]).length).toBe(before);
  });
});
