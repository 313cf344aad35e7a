import { describe, expect, it } from 'vitest';
import { jsonApi } from '../support/json-api.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { registerTwoVersions, rolloutWhen } from '../support/serving-rollouts.js';

describe('a rollout survives its host being killed', () => {
  it('resumes where it was after SIGKILL and a restart: started once, every step once, promoted', async () => {
    let host: HostProcess = await startHostProcess();
    const call = jsonApi(() => host);
    const model = uniqueName('durable');
    const endpoint = uniqueName('durable-api');
    let id = '';
    let atKill = { state: '', weight: 0 };
    try {
      await registerTwoVersions(call, model);
      expect((await call('PUT', `endpoints/${endpoint}`, { variants: [{ name: 'stable', model, version: 1, weight: 100 }] })).status).toBe(201);
      // No traffic and minRequests 0: every check passes, so the rollout walks its steps by the timer alone.
      const started = await call('POST', `endpoints/${endpoint}/rollouts`, { candidate: { model, version: 2 }, steps: [10, 20, 30, 40, 100], intervalSeconds: 1, analysis: { minRequests: 0 } });
      expect(started.status, started.text).toBe(202);
      id = started.body.id;
      atKill = await rolloutWhen(call, endpoint, id, (r) => r.weight >= 20, 30_000);
    } finally {
      await host.stop('SIGKILL');
    }
    expect(atKill).toMatchObject({ state: 'running' });
    expect(atKill.weight).toBeLessThan(100);
    host = await startHostProcess({ COSMOS_DATABASE: host.database, REDIS_KEY_PREFIX: host.redisPrefix, ARBOR_TASK_HUB: host.taskHub });
    try {
      const done = await rolloutWhen(call, endpoint, id, (r) => r.state !== 'running', 60_000);
      expect(done.state, JSON.stringify(done)).toBe('promoted');
      expect(done.events.filter((e) => e.event === 'started')).toHaveLength(1);
      expect(done.checks.map((c) => c.seq)).toEqual(done.checks.map((_, i) => i + 1));
      expect(done.checks.map((c) => c.decision)).toEqual(['advance', 'advance', 'advance', 'promote']);
      expect(done.checks.map((c) => c.weight)).toEqual([10, 20, 30, 40]);
      expect((await call('GET', `endpoints/${endpoint}`)).body.variants).toEqual([{ name: 'stable', model, version: 2, weight: 100 }]);
      // The slot is free: the next rollout may start.
      const next = await call('POST', `endpoints/${endpoint}/rollouts`, { candidate: { model, version: 1 }, intervalSeconds: 3600 });
      expect(next.status, next.text).toBe(202);
      expect((await call('POST', `endpoints/${endpoint}/rollouts/${next.body.id}/abort`)).status).toBe(202);
      await rolloutWhen(call, endpoint, next.body.id, (r) => r.state === 'aborted');
    } finally {
      await host.stop();
    }
  }, 120_000);
});
