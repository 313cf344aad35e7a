import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, redisClient } from '../support/clients.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { jsonApi } from '../support/json-api.js';
import { registerTwoVersions, rolloutWhen } from '../support/serving-rollouts.js';

/**
 * The `arbor` CLI (cli/, issue 17) run as a person runs it: the built dist/cli/main.js as a child
 * process against a host with real data, read by its output and exit code.
 */
/** A port nothing listens on: one the system handed out, then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the arbor CLI against a host', () => {
  let host: HostProcess;
  let home: string;
  const call = jsonApi(() => host);

  /** Runs the CLI with a home of its own (no profile unless a test writes one) and the host's address. */
  const arbor = (args: string[], options: { url?: boolean; env?: Record<string, string> } = {}): Promise<Ran> =>
    new Promise((resolve) => {
      const env = { PATH: process.env.PATH ?? '', HOME: home, ...(options.url === false ? {} : { ARBOR_URL: host.url }), ...options.env };
      execFile(process.execPath, [join(process.cwd(), 'dist', 'cli', 'main.js'), ...args], { env, timeout: 90_000 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
    });

  /** A folder of definition files, written fresh. */
  const definitions = async (files: Record<string, string>): Promise<string> => {
    const dir = await mkdtemp(join(home, 'defs-'));
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return dir;
  };

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_SERVING_ALLOW_FAULTS: 'true' });
    home = await mkdtemp(join(tmpdir(), 'arbor-cli-'));
  });
  afterAll(async () => {
    await host?.stop();
    const redis = redisClient();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
    if (home) await rm(home, { recursive: true, force: true });
  });

  describe('on a bad command line', () => {
    it('exits 2 with the usage for an unknown command, a missing argument or a bad flag value', async () => {
      const unknown = await arbor(['bogus']);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("unknown command 'bogus'");
      expect(unknown.stderr).toContain('Usage: arbor');
      const missing = await arbor(['apply']);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain("missing required argument 'dir'");
      expect(missing.stderr).toContain('Usage: arbor apply');
      const badFlag = await arbor(['run', 'p', '--nope']);
      expect(badFlag.code).toBe(2);
      expect(badFlag.stderr).toContain("unknown option '--nope'");
      const badParam = await arbor(['run', 'p', '--param', 'novalue']);
      expect(badParam.code).toBe(2);
      expect(badParam.stderr).toContain('--param takes name=value');
      const badEntity = await arbor(['features', 'get', 'v:f']);
      expect(badEntity.code).toBe(2);
      expect(badEntity.stderr).toContain("required option '--entity <key=v1,v2>' not specified");
      const help = await arbor(['--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toContain('rollout');
    });
  });

  describe('POST /api/features/registry?dryRun=true', () => {
    it('answers the plan of an apply and writes nothing; refuses what an apply refuses', async () => {
      const view = uniqueName('dry', '_');
      const body = {
        entities: [{ name: `${view}_e`, joinKeys: [{ name: 'id', type: 'int64' }] }],
        featureViews: [{ name: view, entity: `${view}_e`, ttlSeconds: 0, features: [{ name: 'x', type: 'float64' }] }],
      };
      const planned = await call('POST', 'features/registry?dryRun=true', body);
      expect(planned.status, planned.text).toBe(200);
      expect(planned.body).toEqual({ dryRun: true, created: [`entity:${view}_e`, `featureView:${view}`], updated: [], unchanged: [] });
      const registry = await call('GET', 'features/registry');
      expect(registry.body.featureViews.map((v: { name: string }) => v.name)).not.toContain(view);

      expect((await call('POST', 'features/registry', body)).status).toBe(200);
      expect((await call('POST', 'features/registry?dryRun=true', body)).body).toEqual({ dryRun: true, created: [], updated: [], unchanged: [`entity:${view}_e`, `featureView:${view}`] });
      const added = { ...body, featureViews: [{ ...body.featureViews[0], features: [{ name: 'x', type: 'float64' }, { name: 'y', type: 'int64' }] }] };
      expect((await call('POST', 'features/registry?dryRun=true', added)).body).toEqual({ dryRun: true, created: [], updated: [`featureView:${view}`], unchanged: [`entity:${view}_e`] });
      const changed = { ...body, featureViews: [{ ...body.featureViews[0], features: [{ name: 'x', type: 'string' }] }] };
      const refused = await call('POST', 'features/registry?dryRun=true', changed);
      expect(refused.status).toBe(409);
      expect(refused.body.error.code).toBe('incompatible_change');
      expect(refused.body.error.details).toEqual([{ field: 'featureViews[0].features[0].type', problem: 'cannot change "x" from float64 to string' }]);
      // The dry run of an addition stored nothing: the view is still at version 1 with one feature.
      const stored = (await call('GET', 'features/registry')).body.featureViews.find((v: { name: string }) => v.name === view);
      expect([stored.version, stored.features.length]).toEqual([1, 1]);
      const bad = await call('POST', 'features/registry?dryRun=yes', body);
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].field).toBe('?dryRun');
    });
  });

  describe('arbor apply', () => {
    const name = uniqueName('cli');
    const view = name.replace('-', '_');
    const files = {
      'features.yaml': [
        'kind: entity',
        `name: ${view}_driver`,
        'joinKeys:',
        '  - name: driver_id',
        '    type: int64',
        '---',
        'kind: featureView',
        `name: ${view}`,
        `entity: ${view}_driver`,
        'ttlSeconds: 86400',
        'features:',
        '  - name: trips',
        '    type: int64',
        '  - name: rating',
        '    type: float64',
        '',
      ].join('\n'),
      'services.json': JSON.stringify({ featureServices: [{ name: `${view}_svc`, features: [`${view}:trips`] }] }, null, 2),
      'pipeline.yml': ['kind: pipeline', `name: ${name}`, 'steps:', '  - id: a', '    uses: noop', '  - id: b', '    uses: noop', '    dependsOn: [a]', ''].join('\n'),
      'collection.yaml': ['kind: collection', `name: ${name}`, 'dimension: 3', 'metric: cosine', 'shards: 1', ''].join('\n'),
      'model.yaml': ['kind: model', `name: ${view}_model`, 'task: regression', ''].join('\n'),
    };

    it('shows a plan (dry run, nothing written), applies it, and finds it unchanged the second time', async () => {
      const dir = await definitions(files);
      const plan = await arbor(['apply', dir, '--dry-run']);
      expect(plan.code, plan.stderr).toBe(0);
      for (const row of [`entity .*${view}_driver .*create`, `featureView .*${view} .*create`, `featureService .*${view}_svc .*create`, `pipeline .*${name} .*create`, `collection .*${name} .*create`, `model .*${view}_model .*create`]) {
        expect(plan.stdout).toMatch(new RegExp(row));
      }
      expect(plan.stdout).toContain('6 to create, 0 to update, 0 unchanged, 0 refused (dry run: nothing applied)');
      expect((await call('GET', `pipelines/${name}`)).status).toBe(404);
      expect((await call('GET', `collections/${name}`)).status).toBe(404);
      expect((await call('GET', 'features/registry')).body.featureViews.map((v: { name: string }) => v.name)).not.toContain(view);

      const applied = await arbor(['apply', dir]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain('applied: 6 created, 0 updated, 0 unchanged, 0 refused');
      expect((await call('GET', `pipelines/${name}`)).body.spec.steps.map((s: { id: string }) => s.id)).toEqual(['a', 'b']);
      expect((await call('GET', `collections/${name}`)).body).toMatchObject({ dimension: 3, metric: 'cosine', shards: 1 });
      expect((await call('GET', `models/${view}_model`)).body).toMatchObject({ task: 'regression' });
      const registry = (await call('GET', 'features/registry')).body;
      expect(registry.featureServices.find((s: { name: string }) => s.name === `${view}_svc`)?.features).toEqual([`${view}:trips`]);

      const again = await arbor(['--json', 'apply', dir]);
      expect(again.code, again.stderr).toBe(0);
      const report = JSON.parse(again.stdout) as { applied: boolean; counts: Record<string, number>; plan: Array<{ action: string }> };
      expect(report.counts).toEqual({ create: 0, update: 0, unchanged: 6, refused: 0 });
      expect(report.applied).toBe(false);
    });

    it('shows an update, and refuses an incompatible change with the file, line and field, applying nothing', async () => {
      const changed = await definitions({
        ...files,
        // rating float64 -> string: stored rows would change meaning (line 15, its type).
        'features.yaml': files['features.yaml'].replace('    type: float64', '    type: string'),
        'model.yaml': ['kind: model', `name: ${view}_model`, 'task: regression', 'description: now described', ''].join('\n'),
        'collection.yaml': files['collection.yaml'],
      });
      const refused = await arbor(['apply', changed]);
      expect(refused.code).toBe(1);
      expect(refused.stdout).toMatch(new RegExp(`featureView .*${view} .*refused`));
      expect(refused.stdout).toMatch(new RegExp(`model .*${view}_model .*update`));
      expect(refused.stdout).toContain(`refused featureView ${view}: ${join(changed, 'features.yaml')}:15:11 featureViews[0].features[1].type: cannot change "rating" from float64 to string`);
      expect(refused.stdout).toContain('nothing applied');
      expect((await call('GET', `models/${view}_model`)).body.description).toBeUndefined();

      const collection = await definitions({ 'collection.yaml': files['collection.yaml'].replace('dimension: 3', 'dimension: 4') });
      const shape = await arbor(['apply', collection]);
      expect(shape.code).toBe(1);
      expect(shape.stdout).toContain(`${join(collection, 'collection.yaml')}:3:12 dimension: cannot change from 3 to 4; delete the collection first`);

      const update = await definitions({ 'model.yaml': ['kind: model', `name: ${view}_model`, 'task: regression', 'description: now described', ''].join('\n') });
      const updated = await arbor(['apply', update]);
      expect(updated.code, updated.stderr).toBe(0);
      expect(updated.stdout).toContain('applied: 0 created, 1 updated, 0 unchanged, 0 refused');
      expect((await call('GET', `models/${view}_model`)).body.description).toBe('now described');
    });

    it('names the file, line and field of an invalid definition, and stores nothing', async () => {
      const fresh = uniqueName('bad', '_');
      const dir = await definitions({
        'a.yaml': ['kind: entity', `name: ${fresh}_e`, 'joinKeys:', '  - name: id', '    type: int64', ''].join('\n'),
        'b.yaml': [
          'kind: featureView',
          `name: ${fresh}`,
          `entity: ${fresh}_e`,
          'ttlSeconds: one day',
          'features:',
          '  - name: score',
          '    type: float32',
          '    colour: red',
          '',
        ].join('\n'),
      });
      const result = await arbor(['apply', dir]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('3 problem(s)');
      expect(result.stderr).toContain(`${join(dir, 'b.yaml')}:4:13 ttlSeconds: Invalid input: expected number, received string`);
      expect(result.stderr).toContain(`${join(dir, 'b.yaml')}:7:11 features[0].type: Invalid option`);
      expect(result.stderr).toContain(`${join(dir, 'b.yaml')}:8:5 features[0].colour: is not a known field`);
      expect(result.stderr).toContain('nothing applied');
      const registry = (await call('GET', 'features/registry')).body;
      expect(registry.entities.map((e: { name: string }) => e.name)).not.toContain(`${fresh}_e`);

      // A problem only the API finds (an entity not defined anywhere) is mapped back to its file and line too.
      const orphan = await definitions({ 'v.yaml': ['kind: featureView', `name: ${fresh}`, `entity: ${fresh}_nobody`, 'ttlSeconds: 0', 'features:', '  - {name: s, type: int64}', ''].join('\n') });
      const api = await arbor(['apply', orphan]);
      expect(api.code).toBe(1);
      expect(api.stderr).toContain(`${join(orphan, 'v.yaml')}:3:9 featureViews[0].entity: "${fresh}_nobody" is not a defined entity`);

      const syntax = await definitions({ 'broken.yaml': ['kind: entity', 'name: [unclosed', ''].join('\n') });
      const broken = await arbor(['apply', syntax]);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toMatch(new RegExp(`${join(syntax, 'broken.yaml').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ `));
      const kindless = await definitions({ 'k.yaml': 'kind: gadget\nname: x\n' });
      expect((await arbor(['apply', kindless])).stderr).toContain(`${join(kindless, 'k.yaml')}:1:7 kind: must be one of entity, featureView`);
    });
  });

  describe('arbor run --watch', () => {
    it('prints each step transition and the outcome, and exits 0 when the run succeeds, 1 when it fails', async () => {
      const name = uniqueName('watch');
      const registered = await call('POST', 'pipelines', {
        name,
        params: { ms: { type: 'number', default: 200 } },
        steps: [
          { id: 'first', uses: 'sleep', with: { ms: '${{ params.ms }}' } },
          { id: 'second', uses: 'noop', dependsOn: ['first'] },
        ],
      });
      expect(registered.status, registered.text).toBe(201);
      const watched = await arbor(['run', name, '--watch']);
      expect(watched.code, watched.stderr).toBe(0);
      const lines = watched.stdout.split('\n');
      expect(lines.some((line) => /\] first: (pending|running) -> succeeded$/.test(line))).toBe(true);
      expect(lines.some((line) => /\] second: (pending|running) -> succeeded$/.test(line))).toBe(true);
      // Transitions come in order: first ends before second does.
      expect(lines.findIndex((line) => line.includes('first:') && line.endsWith('succeeded'))).toBeLessThan(lines.findIndex((line) => line.includes('second:') && line.endsWith('succeeded')));
      expect(watched.stdout).toMatch(/run \S+ succeeded in \d+\.\ds \(2\/2 steps done\)/);

      // On a terminal (script(1) gives it one): the same lines, and a bar of done/total steps that ends full.
      const terminal = await new Promise<string>((resolve, reject) =>
        execFile('script', ['-qec', `node ${join(process.cwd(), 'dist', 'cli', 'main.js')} run ${name} --watch`, '/dev/null'], { env: { PATH: process.env.PATH ?? '', HOME: home, ARBOR_URL: host.url, TERM: 'xterm' }, timeout: 60_000 }, (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        ),
      );
      expect(terminal).toMatch(/\] first: (pending|running) -> succeeded\r\n/);
      expect(terminal).toMatch(/\] second: (pending|running) -> succeeded\r\n/);
      expect(terminal).toMatch(/█{40} 2\/2 steps/);

      const failed = await arbor(['--json', 'run', name, '--watch', '--param', 'ms=-5']);
      expect(failed.code).toBe(1);
      const report = JSON.parse(failed.stdout) as { state: string; steps: Record<string, { state: string; error?: string }>; transitions: Array<{ step: string; to: string }> };
      expect(report.state).toBe('failed');
      expect(report.steps.first?.state).toBe('failed');
      expect(report.steps.second?.state).toBe('upstream_failed');
      expect(report.transitions.map((t) => `${t.step}:${t.to}`)).toContain('first:failed');

      const missing = await arbor(['run', uniqueName('nothing')]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/error: starting nothing-\w+: not_found: /);
    });
  });

  describe('arbor rollout', () => {
    it('starts a rollout, shows each check with its figures, and aborts it', async () => {
      const model = uniqueName('ro');
      await registerTwoVersions(call, model);
      const endpoint = await definitions({ 'endpoint.yaml': ['kind: endpoint', `name: ${model}`, 'variants:', `  - {name: stable, model: ${model}, version: 1, weight: 100}`, ''].join('\n') });
      const applied = await arbor(['apply', endpoint]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toMatch(new RegExp(`endpoint .*${model} .*create`));
      expect((await arbor(['apply', endpoint])).stdout).toContain('0 to create, 0 to update, 1 unchanged');

      const started = await arbor(['--json', 'rollout', 'start', model, '--model', model, '--version', '2', '--steps', '50,100', '--interval', '1']);
      expect(started.code, started.stderr).toBe(0);
      const id = (JSON.parse(started.stdout) as { id: string }).id;
      // No traffic: every check holds, with the request counts that made it hold.
      await rolloutWhen(call, model, id, (rollout) => rollout.checks.length >= 1, 60_000);
      const status = await arbor(['rollout', 'status', model]);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toContain(`rollout ${id} on ${model}: running`);
      expect(status.stdout).toContain(`stable stable (${model} v1) -> candidate canary (${model} v2)`);
      expect(status.stdout).toMatch(/│ 1 +│ \d\d:\d\d:\d\d │ 50% +│ hold +│ 0 req, 0\.00% err, p95 - ms, p99 - ms/);
      expect(status.stdout).toContain('candidate had 0 request(s), fewer than minRequests 20');

      const aborted = await arbor(['rollout', 'abort', model]);
      expect(aborted.code, aborted.stderr).toBe(0);
      expect(aborted.stdout).toContain(`abort of rollout ${id} requested`);
      await rolloutWhen(call, model, id, (rollout) => rollout.state === 'aborted', 60_000);
      const after = await arbor(['rollout', 'status', model, id]);
      expect(after.stdout).toContain(`rollout ${id} on ${model}: aborted`);
      const none = await arbor(['rollout', 'status', uniqueName('nothing')]);
      expect(none.code).toBe(1);
      expect(none.stderr).toMatch(/error: listing rollouts of nothing-\w+: not_found: /);
    }, 180_000);
  });

  describe('arbor features get and arbor jobs', () => {
    it('reads online values for entities, and lists jobs', async () => {
      const view = uniqueName('online', '_');
      const dir = await definitions({
        'f.yaml': ['entities:', `  - name: ${view}_e`, '    joinKeys: [{name: driver_id, type: int64}]', 'featureViews:', `  - name: ${view}`, `    entity: ${view}_e`, '    ttlSeconds: 0', '    features: [{name: trips, type: int64}]', ''].join('\n'),
      });
      expect((await arbor(['apply', dir])).code).toBe(0);
      const pushed = await call('POST', 'features/push', { view, to: 'online', rows: [{ driver_id: 7, event_timestamp: new Date(Date.now() - 60_000).toISOString(), trips: 42 }] });
      expect(pushed.status, pushed.text).toBe(200);
      const got = await arbor(['features', 'get', `${view}:trips`, '--entity', 'driver_id=7,8']);
      expect(got.code, got.stderr).toBe(0);
      expect(got.stdout).toMatch(/│ 7 +│ 42 +│/);
      expect(got.stdout).toMatch(/│ 8 +│ \(missing\) +│/);
      const json = JSON.parse((await arbor(['--json', 'features', 'get', `${view}:trips`, '--entity', 'driver_id=7'])).stdout) as { results: Array<{ values: Record<string, unknown> }> };
      expect(json.results[0]?.values[`${view}:trips`]).toBe(42);
      const unknown = await arbor(['features', 'get', `${view}:nope`, '--entity', 'driver_id=7']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/error: reading online features: \w+: /);

      const jobs = await arbor(['--json', 'jobs']);
      expect(jobs.code, jobs.stderr).toBe(0);
      expect(Array.isArray((JSON.parse(jobs.stdout) as { jobs: unknown[] }).jobs)).toBe(true);
    });
  });

  describe('arbor materialize, arbor jobs and arbor drift', () => {
    it('materializes inline and as a followed job, lists the job, and runs a drift check', async () => {
      const view = uniqueName('mat', '_');
      const dir = await definitions({
        'm.yaml': ['kind: entity', `name: ${view}_e`, 'joinKeys: [{name: id, type: int64}]', '---', 'kind: featureView', `name: ${view}`, `entity: ${view}_e`, 'ttlSeconds: 0', 'features: [{name: x, type: float64}]', ''].join('\n'),
      });
      expect((await arbor(['apply', dir])).code).toBe(0);
      const hour = 3_600_000;
      const now = Date.now();
      // 20 rows two days ago around 10, 20 rows two hours ago around 110: x moved.
      const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, event_timestamp: new Date(now - (i < 20 ? 48 : 2) * hour - i * 1000).toISOString(), x: (i < 20 ? 10 : 110) + (i % 7) }));
      expect((await call('POST', 'features/push', { view, to: 'offline', rows })).status).toBe(200);

      const inline = await arbor(['materialize', view]);
      expect(inline.code, inline.stderr).toBe(0);
      expect(inline.stdout).toMatch(new RegExp(`materialized ${view}: 40 written, 0 older kept, 40 entities from \\d+ partition\\(s\\)`));
      const followed = await arbor(['--json', 'materialize', view, '--async', '--watch']);
      expect(followed.code, followed.stderr).toBe(0);
      const job = JSON.parse(followed.stdout) as { id: string; state: string; kind: string };
      expect([job.kind, job.state]).toEqual(['materialize', 'succeeded']);
      const watched = await arbor(['materialize', view, '--async', '--watch']);
      expect(watched.code, watched.stderr).toBe(0);
      expect(watched.stdout).toMatch(/job job-materialize-\S+: \w+ -> succeeded/);
      const jobs = await arbor(['jobs', '--state', 'succeeded', '--limit', '50']);
      expect(jobs.code, jobs.stderr).toBe(0);
      expect(jobs.stdout).toContain(job.id);
      expect((await arbor(['jobs', '--state', 'sideways'])).code).toBe(2);

      // A point-in-time training set: entity rows from a CSV, features as of each row's time, written as parquet and CSV.
      const entities = join(await definitions({}), 'entities.csv');
      await writeFile(entities, ['id,event_timestamp,label', `25,${new Date(now).toISOString()},1`, `3,${new Date(now - 24 * hour).toISOString()},0`, `3,${new Date(now - 72 * hour).toISOString()},0`, ''].join('\n'));
      const parquet = join(home, `${view}.parquet`);
      const built = await arbor(['training-set', '--features', `${view}:x`, '--entities', entities, '--out', parquet]);
      expect(built.code, built.stderr).toBe(0);
      expect(built.stdout).toContain(`wrote 3 row(s) to ${parquet}`);
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      const read = (await connection.runAndReadAll(`SELECT id, label, "${view}:x" AS x FROM read_parquet('${parquet}') ORDER BY id, event_timestamp`)).getRowObjectsJS();
      connection.closeSync();
      instance.closeSync();
      // Row 25 (two hours ago) as of now; row 3 (two days ago) as of a day ago; nothing before it existed 72 hours ago.
      expect(read.map((row) => [Number(row.id), Number(row.label), row.x])).toEqual([[3, 0, null], [3, 0, 13], [25, 1, 114]]);
      const csv = join(home, `${view}.csv`);
      expect((await arbor(['training-set', '--features', `${view}:x`, '--entities', entities, '--out', csv])).code).toBe(0);
      expect((await readFile(csv, 'utf8')).split('\n')[0]).toBe(`id,event_timestamp,label,${view}:x`);
      expect((await arbor(['training-set', '--features', `${view}:x`, '--entities', entities, '--out', join(home, 'x.txt')])).code).toBe(2);

      const drift = await arbor(['--json', 'drift', view, '--reference-hours', '72', '--current-hours', '12']);
      expect(drift.code, drift.stderr).toBe(0);
      const report = JSON.parse(drift.stdout) as { view: string; drifted: boolean; features: Record<string, { drifted: boolean }>; quality: { rows: { reference: number; current: number } } };
      expect([report.view, report.quality.rows.reference, report.quality.rows.current, report.features.x?.drifted, report.drifted]).toEqual([view, 20, 20, true, true]);
      const shown = await arbor(['drift', view, '--latest']);
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain(`drift of ${view} at`);
      expect(shown.stdout).toContain('DRIFTED');
      expect(shown.stdout).toMatch(/│ x +│ \w+ +│ [\d.]+ +│ [\d.]+ +│ yes +│/);
    }, 120_000);
  });

  describe('arbor ask', () => {
    it('prints the streamed answer, then its citations', async () => {
      const collection = uniqueName('cli-rag');
      const text = '# Offline store\n\nOld partitions move to the archive tier after 180 days. Parquet files are partitioned by day.';
      const created = await call('POST', 'rag/documents', { id: 'offline-store', title: 'Offline store', text, format: 'markdown', collection });
      expect(created.status, created.text).toBe(201);
      const question = 'When do old partitions move to the archive tier?';
      const whole = await call('POST', 'rag/ask', { question, collection });
      expect(whole.status, whole.text).toBe(200);
      const asked = await arbor(['ask', question, '--collection', collection]);
      expect(asked.code, asked.stderr).toBe(0);
      expect(asked.stdout.startsWith(`${whole.body.answer}\n`)).toBe(true);
      expect(asked.stdout).toMatch(/\n\[1\] Offline store.* \(offline-store, score \d\.\d{3}\)\n$/);
      const json = JSON.parse((await arbor(['--json', 'ask', question, '--collection', collection])).stdout) as { answer: string; citations: unknown[] };
      expect(json).toEqual({ answer: whole.body.answer, citations: whole.body.citations });
      const blank = await arbor(['ask', '  ']);
      expect(blank.code).toBe(1);
      expect(blank.stderr).toMatch(/error: asking: \w+: .*\n +question: /);
    });
  });

  describe('settings', () => {
    it('reads the address and key from a profile file, and says when the API cannot be reached', async () => {
      await mkdir(join(home, '.arbor'), { recursive: true });
      await writeFile(join(home, '.arbor', 'config.json'), JSON.stringify({ profiles: { default: { url: `http://127.0.0.1:${await closedPort()}` }, test: { url: host.url } } }));
      const viaProfile = await arbor(['--json', 'jobs'], { url: false, env: { ARBOR_PROFILE: 'test' } });
      expect(viaProfile.code, viaProfile.stderr).toBe(0);
      const unreachable = await arbor(['jobs'], { url: false });
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toContain('cannot reach the API: ECONNREFUSED');
      const flagWins = await arbor(['--url', host.url, '--json', 'jobs'], { url: false });
      expect(flagWins.code, flagWins.stderr).toBe(0);
      const noSuch = await arbor(['--profile', 'nope', 'jobs'], { url: false });
      expect(noSuch.code).toBe(1);
      expect(noSuch.stderr).toContain('has no profile "nope" (it has: default, test)');
      await rm(join(home, '.arbor'), { recursive: true, force: true });
    });
  });
});
