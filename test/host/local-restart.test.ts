import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { jsonApi } from '../support/json-api.js';
import { pipelinesApi } from '../support/pipelines-api.js';

/** Hosts here start slowly: each brings up its own Azurite and cosmosdb-server. */
const startTimeoutMs = 120_000;
const stackTrace = /^\s+at .+:\d+:\d+\)?$|ECONNREFUSED/m;

/**
 * `npm start` as a developer runs it: the host starts its own emulators on a data dir, not the
 * test run's shared in-memory ones, and is stopped and started again on that dir.
 */
describe('local state across host restarts', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'arbor-restart-'));
  const hosts: HostProcess[] = [];
  let identity: Record<string, string> = {};
  const start = async (extra: Record<string, string> = {}) => {
    const host = await startHostProcess({ ARBOR_DATA_DIR: dataDir, COSMOS_ENDPOINT: '', COSMOS_KEY: '', AzureWebJobsStorage: '', ...identity, ...extra }, startTimeoutMs, { asTerminal: true });
    hosts.push(host);
    identity = { COSMOS_DATABASE: host.database, REDIS_KEY_PREFIX: host.redisPrefix, ARBOR_TASK_HUB: host.taskHub, WEBSITE_SITE_NAME: host.database };
    return host;
  };
  let current: HostProcess;
  const call = jsonApi(() => current);

  const entity = uniqueName('rider', '_');
  const view = uniqueName('rider_stats', '_');
  const pipeline = uniqueName('nightly');
  const dataset = uniqueName('cards');
  let runId = '';
  const acknowledged: string[] = [];

  afterAll(async () => {
    for (const host of hosts) await host.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('Ctrl-C mid-run stops the host then its emulators within seconds, quietly, and a restart resumes the run with everything registered', async () => {
    current = await start();
    expect(current.output.join('\n')).toMatch(/writes journaled to .*cosmos[/\\]journal\.jsonl/);
    expect((await call('PUT', `datasets/${dataset}`, { format: 'csv' })).status).toBe(201);
    const registry = await call('POST', 'features/registry', {
      entities: [{ name: entity, joinKeys: [{ name: 'rider_id', type: 'int64' }] }],
      featureViews: [{ name: view, entity, ttlSeconds: 0, online: true, features: [{ name: 'trips', type: 'int64' }] }],
    });
    expect(registry.status, registry.text).toBe(200);
    const steps = [
      { id: 'first', uses: 'sleep', with: { ms: 2_000 } },
      { id: 'second', uses: 'sleep', with: { ms: 200 }, dependsOn: ['first'] },
    ];
    expect((await pipelinesApi(current).register({ name: pipeline, steps })).status).toBe(201);
    runId = await pipelinesApi(current).start(pipeline);
    await eventually(async () => ((await pipelinesApi(current).run(runId)).steps.first?.state === 'running' ? true : undefined), 30_000);

    const stoppedAt = Date.now();
    const code = await current.stop('SIGINT');
    const stopMs = Date.now() - stoppedAt;
    const output = current.output.join('\n');
    expect(code, output).toBe(0);
    expect(stopMs, output).toBeLessThan(10_000);
    expect(output).toMatch(/SIGINT: stopping/);
    expect(output).not.toMatch(stackTrace);

    current = await start();
    const run = await pipelinesApi(current).finished(runId, 60_000);
    expect(run.state).toBe('succeeded');
    expect((await call('GET', `datasets/${dataset}`)).body.format).toBe('csv');
    expect((await call('GET', `pipelines/${pipeline}`)).status).toBe(200);
    const listed = await call('GET', 'features/registry');
    expect((listed.body.featureViews as Array<{ name: string }>).map((v) => v.name)).toContain(view);
    expect((listed.body.entities as Array<{ name: string }>).map((e) => e.name)).toContain(entity);
  }, 400_000);

  it('a host killed with SIGKILL in the middle of writes loses none it acknowledged', async () => {
    const names = Array.from({ length: 200 }, (_, i) => `${dataset}-${i}`);
    let next = 0;
    let killed = false;
    const writer = async () => {
      while (!killed && next < names.length) {
        const name = names[next++] as string;
        const answer = await call('PUT', `datasets/${name}`, { format: 'csv', description: `written ${name}` }).catch(() => undefined);
        if (answer?.status === 201) acknowledged.push(name);
      }
    };
    const writers = Array.from({ length: 4 }, writer);
    await eventually(async () => (acknowledged.length >= 20 ? true : undefined), 60_000);
    killed = true;
    await current.stop('SIGKILL');
    await Promise.all(writers);
    expect(acknowledged.length).toBeLessThan(names.length);

    current = await start();
    for (const name of acknowledged) {
      const answer = await call('GET', `datasets/${name}`);
      expect(answer.status, name).toBe(200);
      expect(answer.body.description).toBe(`written ${name}`);
    }
    expect((await pipelinesApi(current).run(runId)).state).toBe('succeeded');
    await current.stop();
  }, 400_000);

  it('ARBOR_IN_MEMORY=true starts from a clean slate and leaves nothing behind', async () => {
    const journal = join(dataDir, 'cosmos', 'journal.jsonl');
    expect(existsSync(journal)).toBe(true);
    current = await start({ ARBOR_IN_MEMORY: 'true' });
    expect((await call('GET', `datasets/${dataset}`)).status).toBe(404);
    expect((await call('GET', `pipelines/${pipeline}`)).status).toBe(404);
    const scratch = `${dataset}-in-memory`;
    expect((await call('PUT', `datasets/${scratch}`, { format: 'csv' })).status).toBe(201);
    await current.stop();

    current = await start();
    expect((await call('GET', `datasets/${scratch}`)).status).toBe(404);
    expect((await call('GET', `datasets/${dataset}`)).status).toBe(200);
    await current.stop();
  }, 400_000);
});
