import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontDoor, type FrontDoor } from '../../local/front-door.js';
import { startCountingServer, type CountingServer } from '../support/counting-server.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { pipelinesApi } from '../support/pipelines-api.js';

const json = { 'content-type': 'application/json' };

/** `npm start -- --instances 2`: two host processes behind the front door, sharing the emulators. */
describe('two instances behind the front door', () => {
  let platform: HostProcess;
  let server: CountingServer;
  let instances: string[];

  beforeAll(async () => {
    server = await startCountingServer();
    platform = await startHostProcess({ ARBOR_EGRESS_ALLOW: '127.0.0.1', ARBOR_DURABLE_MAX_ACTIVITIES: '16' }, 40_000, { args: ['--instances', '2'] });
    const line = platform.output.find((text) => text.startsWith('Front door: ')) ?? '';
    instances = [...line.matchAll(/\[(\d)\] (http:\/\/\S+?)(?:,|\s)/g)].map((m) => m[2] as string);
  });
  afterAll(async () => {
    await platform?.stop();
    await server?.stop();
  });

  it('spreads requests over both instances, each line of whose log names it', async () => {
    expect(instances).toHaveLength(2);
    const served = await Promise.all(Array.from({ length: 8 }, async () => (await fetch(`${platform.url}/api/health`)).headers.get('x-arbor-instance')));
    expect(new Set(served)).toEqual(new Set(['0', '1']));
    expect(platform.output.some((text) => text.startsWith('[1] Arbor instance 1 is up:'))).toBe(true);
  });

  it('keeps the task hub and the timers on instance 0 alone', async () => {
    const admin = async (url: string) => (await (await fetch(`${url}/admin/functions`)).json()) as { nextTimerRuns: Record<string, string> };
    expect(Object.keys((await admin(instances[0] as string)).nextTimerRuns).length).toBeGreaterThan(0);
    expect((await admin(instances[1] as string)).nextTimerRuns).toEqual({});
    // Instance 1 serves no durable API; the front door sends that API to instance 0.
    const direct = await fetch(`${instances[1]}/runtime/webhooks/durabletask/instances/none`, { headers: { 'x-functions-key': platform.systemKey } });
    expect(direct.status).toBe(404);
    const routed = await fetch(`${platform.url}/runtime/webhooks/durabletask/instances/none`, { headers: { 'x-functions-key': platform.systemKey } });
    expect(routed.status).toBe(404);
    expect(routed.headers.get('x-arbor-instance')).toBe('0');
    expect(((await routed.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });

  it('runs pipelines started through both instances exactly once each', async () => {
    const api = pipelinesApi(platform);
    const name = uniqueName('spread');
    const registered = await api.register({
      name,
      params: { tag: { type: 'string' } },
      steps: [
        { id: 'call', uses: 'http.call', with: { url: `${server.url}/\${{ params.tag }}` } },
        { id: 'after', uses: 'noop', dependsOn: ['call'] },
      ],
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const tags = Array.from({ length: 8 }, (_, i) => `run-${i}`);
    const started = await Promise.all(
      tags.map(async (tag) => {
        const answer = await fetch(`${platform.url}/api/pipelines/${name}/runs`, { method: 'POST', headers: json, body: JSON.stringify({ params: { tag } }) });
        const body = (await answer.json()) as { runId: string };
        expect(answer.status, `instance ${answer.headers.get('x-arbor-instance')}: ${JSON.stringify(body)}\n${platform.output.filter((l) => /error|fail/i.test(l)).join('\n')}`).toBe(202);
        return { runId: body.runId, instance: answer.headers.get('x-arbor-instance') };
      }),
    );
    expect(new Set(started.map((s) => s.instance))).toEqual(new Set(['0', '1']));
    const runs = await Promise.all(started.map((s) => api.finished(s.runId, 20_000)));
    for (const run of runs) {
      expect(run.state).toBe('succeeded');
      expect(Object.values(run.steps).map((step) => step.attempts)).toEqual([1, 1]);
    }
    // Each run's side effect happened once: no run was lost or run twice.
    for (const tag of tags) expect(server.calls(`/${tag}`)).toBe(1);
    const listed = (await (await fetch(`${platform.url}/api/pipelines/${name}/runs`)).json()) as { runs: unknown[] };
    expect(listed.runs).toHaveLength(tags.length);
  });

  it('reads through one instance the online features pushed through the other', async () => {
    const view = uniqueName('inst_stats', '_');
    const entity = uniqueName('inst_driver', '_');
    const call = (method: string, path: string, body?: unknown) => fetch(`${platform.url}/api/${path}`, { method, headers: json, ...(body ? { body: JSON.stringify(body) } : {}) });
    const applied = await call('POST', 'features/registry', {
      entities: [{ name: entity, joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      featureViews: [{ name: view, entity, ttlSeconds: 86_400, online: true, features: [{ name: 'trips', type: 'int64' }] }],
    });
    expect(applied.status).toBe(200);
    const pushedBy = new Set<string | null>();
    const now = new Date().toISOString();
    for (let id = 0; id < 10; id++) {
      // The other instance learns of the new view within its registry refresh (5 s).
      await eventually(async () => {
        const pushed = await call('POST', 'features/push', { view, rows: [{ driver_id: id, event_timestamp: now, trips: id * 10 }] });
        if (pushed.status !== 200) return undefined;
        pushedBy.add(pushed.headers.get('x-arbor-instance'));
        return true;
      }, 10_000, 200);
    }
    expect(pushedBy).toEqual(new Set(['0', '1']));
    const readBy = new Set<string | null>();
    for (let i = 0; i < 4; i++) {
      const read = await call('POST', 'features/online', { features: [`${view}:trips`], entities: { driver_id: Array.from({ length: 10 }, (_, id) => id) } });
      expect(read.status).toBe(200);
      readBy.add(read.headers.get('x-arbor-instance'));
      const body = (await read.json()) as { results: Array<{ values: Record<string, unknown> }> };
      expect(body.results.map((r) => r.values[`${view}:trips`])).toEqual(Array.from({ length: 10 }, (_, id) => id * 10));
    }
    expect(readBy).toEqual(new Set(['0', '1']));
  });

  it('passes the API’s own 400 for a bad body back through the front door', async () => {
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`${platform.url}/api/features/online`, { method: 'POST', headers: json, body: '{bad' });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    }
  });

  it('stops every instance when the front door is stopped', async () => {
    expect(await platform.stop('SIGINT')).toBe(0);
    expect(platform.output).toEqual(expect.arrayContaining(['[0] Arbor stopped', '[1] Arbor stopped', 'Arbor stopped']));
    for (const url of instances) await expect(fetch(`${url}/api/health`)).rejects.toThrow();
  });
});

describe('the front door alone', () => {
  let backends: Server[];
  let door: FrontDoor;
  let held: Array<() => void> | undefined;
  let heldUntil = 0;

  beforeAll(async () => {
    // Two instances that hold their answers while a test wants requests to overlap.
    backends = await Promise.all(
      [0, 1].map(async (index) => {
        const backend = createServer((request, response) => {
          const answer = () => response.writeHead(200, { 'content-type': 'text/plain' }).end(`instance ${index} ${request.url}`);
          if (!held) return answer();
          held.push(answer);
          // Nothing is answered until every request has arrived, so each choice saw the others outstanding.
          if (held.length === heldUntil) for (const release of held.splice(0)) release();
        });
        await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
        return backend;
      }),
    );
    door = await startFrontDoor({ port: 0 });
    door.setInstances(backends.map((backend) => `http://127.0.0.1:${(backend.address() as AddressInfo).port}`));
  });
  afterAll(async () => {
    await door?.stop();
    await Promise.all(backends.map((backend) => new Promise((resolve) => backend.close(resolve))));
  });

  it('spreads concurrent requests evenly, pins the durable API to instance 0, and routes around an instance that is down', async () => {
    held = [];
    heldUntil = 20;
    const served = await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${door.url}/api/x`)).headers.get('x-arbor-instance')));
    held = undefined;
    expect(served.filter((i) => i === '0')).toHaveLength(10);
    const pinned = await Promise.all(Array.from({ length: 4 }, async () => (await fetch(`${door.url}/runtime/webhooks/durabletask/instances/x`)).text()));
    expect(pinned.every((text) => text.startsWith('instance 0 '))).toBe(true);
    door.markDown(0);
    expect(await (await fetch(`${door.url}/api/y`)).text()).toBe('instance 1 /api/y');
    const orphaned = await fetch(`${door.url}/runtime/webhooks/durabletask/instances/x`);
    expect(orphaned.status).toBe(503);
  });
});
