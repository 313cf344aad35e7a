import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, redisClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';

interface Status {
  runtimeStatus: string;
  output: unknown;
  input: unknown;
  customStatus: unknown;
}

const fixture = { ARBOR_APP_ENTRY: 'dist/test/fixtures/durable-app/index.js' };

/** Durable orchestrations (real durable-functions code) through the local host's backend. */
describe('local durable backend', () => {
  let host: HostProcess;
  const redis = redisClient();
  const webhook = (path: string) => `${host.url}/runtime/webhooks/durabletask/${path}`;
  /** The durable API answers only to the host's system key, and takes JSON only. */
  const systemKey = () => ({ 'x-functions-key': host.systemKey });
  const postJson = (path: string, body?: string) =>
    fetch(webhook(path), { method: 'POST', headers: { ...systemKey(), 'content-type': 'application/json' }, ...(body === undefined ? {} : { body }) });

  async function start(name: string, input: unknown, id = uniqueName(name)): Promise<string> {
    const response = await fetch(`${host.url}/api/start/${name}?id=${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    });
    expect(response.status).toBe(202);
    const body = (await response.json()) as { id: string; statusQueryGetUri: string };
    expect(body.statusQueryGetUri).toContain(`/runtime/webhooks/durabletask/instances/${id}`);
    // As the extension's are, the links carry the system key: they work as given.
    expect((await fetch(body.statusQueryGetUri)).status).toBe(200);
    return body.id;
  }

  async function status(id: string): Promise<Status> {
    return (await (await fetch(webhook(`instances/${id}`), { headers: systemKey() })).json()) as Status;
  }

  async function finished(id: string, timeoutMs = 15_000): Promise<Status> {
    return eventually(async () => {
      const current = await status(id);
      return ['Completed', 'Failed', 'Terminated'].includes(current.runtimeStatus) ? current : undefined;
    }, timeoutMs);
  }

  async function runs(key: string): Promise<number> {
    return Number((await redis.get(`${host.redisPrefix}runs:${key}`)) ?? 0);
  }

  /** Steps 1..steps of a slow chain that started (or finished) at least once. */
  async function countSteps(kind: 'started' | 'runs', key: string, steps: number): Promise<number> {
    const values = await redis.mget(Array.from({ length: steps }, (_, i) => `${host.redisPrefix}${kind}:${key}:${i + 1}`));
    return values.filter((v) => Number(v ?? 0) > 0).length;
  }
  const startedSteps = (key: string, steps: number) => countSteps('started', key, steps);
  const finishedSteps = (key: string, steps: number) => countSteps('runs', key, steps);

  beforeAll(async () => {
    host = await startHostProcess(fixture);
  });
  afterAll(async () => {
    await host.stop();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
  });

  it('runs a sequence of activities, started by an HTTP function through df.getClient', async () => {
    const id = await start('sequence', { key: 'seq' });
    expect(await finished(id)).toMatchObject({ runtimeStatus: 'Completed', output: [2, 4, 6], input: { key: 'seq' } });
    expect([await runs('seq:1'), await runs('seq:2'), await runs('seq:3')]).toEqual([1, 1, 1]);
    const viaFunction = (await (await fetch(`${host.url}/api/status/${id}`)).json()) as Status;
    expect(viaFunction.runtimeStatus).toBe('Completed');
  });

  it('lets a timer function start an orchestration through its durable client', async () => {
    const done = await finished(`from-timer-${host.redisPrefix}`);
    expect(done.output).toEqual([2, 4, 6]);
  });

  it('fans out with Task.all and fans in', async () => {
    const id = await start('fan-out', { key: 'fan', width: 40 });
    const done = await finished(id);
    expect(done.output).toBe(2 * ((39 * 40) / 2));
    for (const i of [0, 17, 39]) expect(await runs(`fan:${i}`)).toBe(1);
  });

  it('retries an activity with backoff until it succeeds on its third attempt', async () => {
    const id = await start('retrying', { key: 'retry-ok', attempts: 4, failUntil: 3 });
    expect((await finished(id)).output).toEqual({ succeededOnAttempt: 3, after: 42 });
    expect(await runs('retry-ok')).toBe(3);
    expect(await runs('retry-ok:after')).toBe(1);
  });

  it('gives up after the last attempt and surfaces the error to the orchestrator', async () => {
    const id = await start('retrying', { key: 'retry-exhausted', attempts: 2, failUntil: 10 });
    const done = await finished(id);
    expect((done.output as { gaveUp: string }).gaveUp).toMatch(/flaky failure on attempt 2/);
    expect(await runs('retry-exhausted')).toBe(2);
  });

  it('races an external event against a timer, both ways, with custom status', async () => {
    const approved = await start('racing', {});
    await eventually(async () => ((await status(approved)).customStatus === 'waiting for approval' ? true : undefined));
    const raised = await postJson(`instances/${approved}/raiseEvent/approve`, '"alice"');
    expect(raised.status).toBe(202);
    expect(await finished(approved)).toMatchObject({ output: { approvedBy: 'alice' }, customStatus: 'approved' });
    const timedOut = await start('racing', {});
    expect((await finished(timedOut)).output).toEqual({ timedOut: true });
  });

  /** The history's episodes: the events each replay added, split at OrchestratorStarted (12). */
  async function episodes(id: string): Promise<number[][]> {
    const response = await fetch(webhook(`instances/${id}?showHistory=true`), { headers: systemKey() });
    const { history } = (await response.json()) as { history: Array<{ EventType: number }> };
    const split: number[][] = [];
    for (const { EventType } of history) {
      if (EventType === 12) split.push([]);
      else split.at(-1)?.push(EventType);
    }
    return split;
  }

  it("delivers an event an activity raised to its own orchestration with the activity's result, in one replay", async () => {
    const id = await start('self-told', { awaitReaction: false });
    expect((await finished(id)).output).toEqual({ first: 'event', told: 'hello' });
    // Started (0) and scheduled the activity (4); then one episode: the event (15) and the
    // result (5), in that order. Without the hold they were two episodes, and two replays.
    const replays = await episodes(id);
    expect(replays).toHaveLength(2);
    expect(replays[1]?.slice(0, 2)).toEqual([15, 5]);
  });

  it('delivers a held event anyway when the activity that raised it waits for the orchestrator to act on it', async () => {
    const id = await start('self-told', { awaitReaction: true });
    const done = await finished(id);
    expect(done).toMatchObject({ runtimeStatus: 'Completed', output: { first: 'event', finished: 'after the reaction' } });
    // The first event was released on its own (an episode of just it), the second came with the result.
    const replays = await episodes(id);
    expect(replays[1]?.slice(0, 1)).toEqual([15]);
    expect(replays.at(-1)?.slice(0, 2)).toEqual([15, 5]);
  });

  it('runs sub-orchestrations and propagates a failing one as an error', async () => {
    const id = await start('parent', { key: 'parent' });
    const done = await finished(id);
    expect(done.output).toMatchObject({ child: [2, 4, 6] });
    expect((done.output as { failedChild: string }).failedChild).toMatch(/this activity always fails/);
    expect(await runs('parent:child:2')).toBe(1);
  });

  it('fails an orchestration whose activity fails, with the reason', async () => {
    const id = await start('failing', {});
    const done = await finished(id);
    expect(done.runtimeStatus).toBe('Failed');
    expect(String(done.output)).toMatch(/this activity always fails/);
  });

  it('continues as new with fresh history until done', async () => {
    const id = await start('counter', 0);
    const done = await finished(id);
    expect(done).toMatchObject({ runtimeStatus: 'Completed', output: 3, input: 3 });
    for (const n of [0, 1, 2, 3]) expect(await runs(`counter:${id}:${n}`)).toBe(1);
  });

  it('terminates a running instance, then purges it; bad requests get clear answers', async () => {
    const id = await start('slow-chain', { key: 'terminated', steps: 20, ms: 200 });
    await eventually(async () => ((await status(id)).runtimeStatus === 'Running' ? true : undefined));
    expect((await postJson(`instances/${id}/terminate?reason=enough`)).status).toBe(202);
    const done = await finished(id);
    expect(done).toMatchObject({ runtimeStatus: 'Terminated', output: 'enough' });
    // The activity in flight at termination may still finish: wait for it, then for a whole
    // orchestration started afterwards, by which time a step the terminated instance wrongly
    // scheduled would have started.
    const startedAtEnd = await startedSteps('terminated', 20);
    await eventually(async () => ((await finishedSteps('terminated', 20)) === startedAtEnd ? true : undefined));
    expect((await finished(await start('sequence', { key: 'after-terminate' }))).runtimeStatus).toBe('Completed');
    expect(await startedSteps('terminated', 20)).toBe(startedAtEnd);
    expect(startedAtEnd).toBeGreaterThan(0);
    expect(startedAtEnd).toBeLessThan(20);
    expect((await postJson(`instances/${id}/terminate?reason=again`)).status).toBe(410);
    const purge = await fetch(webhook(`instances/${id}`), { method: 'DELETE', headers: systemKey() });
    expect(await purge.json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(webhook(`instances/${id}`), { headers: systemKey() })).status).toBe(404);
    expect((await postJson('orchestrators/no-such-orchestrator', '{}')).status).toBe(404);
    expect((await postJson('instances/nobody/raiseEvent/x', '1')).status).toBe(404);
    expect((await postJson('instances/nobody/raiseEvent/x', '{not json')).status).toBe(400);
  });

  it('purges by filter as the durable client asks (createdTimeFrom, createdTimeTo, runtimeStatus): finished instances only', async () => {
    const done = await start('sequence', { key: uniqueName('purged') });
    expect((await finished(done)).runtimeStatus).toBe('Completed');
    const running = await start('slow-chain', { key: uniqueName('kept'), steps: 50, ms: 200 });
    await eventually(async () => ((await status(running)).runtimeStatus === 'Running' ? true : undefined));
    const purgeBy = (query: string) => fetch(webhook(`instances/?${query}`), { method: 'DELETE', headers: systemKey() });

    const bad = await purgeBy('createdTimeTo=yesterday&runtimeStatus=Completed,Sleeping');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field)).toEqual(['createdTimeFrom', 'createdTimeTo', 'runtimeStatus']);
    expect((await fetch(webhook(`instances/${done}`), { headers: systemKey() })).status).toBe(200);
    // Before anything was created: nothing matches.
    expect((await purgeBy(`createdTimeFrom=1970-01-01T00:00:00.000Z&createdTimeTo=2000-01-01T00:00:00.000Z`)).status).toBe(404);

    // Even a filter naming Running purges only what has finished.
    const purged = await purgeBy(`createdTimeFrom=1970-01-01T00:00:00.000Z&createdTimeTo=${new Date(Date.now() + 60_000).toISOString()}&runtimeStatus=Completed,Running`);
    expect(purged.status).toBe(200);
    expect(((await purged.json()) as { instancesDeleted: number }).instancesDeleted).toBeGreaterThanOrEqual(1);
    expect((await fetch(webhook(`instances/${done}`), { headers: systemKey() })).status).toBe(404);
    expect((await status(running)).runtimeStatus).toBe('Running');
    expect((await postJson(`instances/${running}/terminate?reason=done`)).status).toBe(202);
  });

  it('refuses to start a second instance with the id of a running one', async () => {
    const id = await start('slow-chain', { key: 'dup', steps: 3, ms: 300 });
    const again = await postJson(`orchestrators/slow-chain/${id}`, '{"key":"dup2","steps":1,"ms":1}');
    expect(again.status).toBe(409);
    expect((await finished(id)).runtimeStatus).toBe('Completed');
  });
});

describe('a host killed mid-run resumes every unfinished instance', () => {
  it('completes the run after a restart, with every activity run exactly once', async () => {
    const first = await startHostProcess(fixture);
    const redis = redisClient();
    const key = uniqueName('crash');
    const steps = 6;
    try {
      const response = await fetch(`${first.url}/api/start/slow-chain?id=${key}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key, steps, ms: 400 }),
      });
      expect(response.status).toBe(202);
      // Kill while step 3 sleeps: steps 1-2 are done and recorded, step 3 is in flight.
      await eventually(async () => ((await redis.get(`${first.redisPrefix}started:${key}:3`)) === '1' ? true : undefined), 15_000, 20);
      await first.stop('SIGKILL');
      expect(await redis.get(`${first.redisPrefix}runs:${key}:3`)).toBeNull();

      const second = await startHostProcess({ ...fixture, COSMOS_DATABASE: first.database, REDIS_KEY_PREFIX: first.redisPrefix, ARBOR_TASK_HUB: first.taskHub });
      try {
        const done = await eventually(async () => {
          const status = (await (await fetch(`${second.url}/runtime/webhooks/durabletask/instances/${key}`, { headers: { 'x-functions-key': second.systemKey } })).json()) as Status;
          return status.runtimeStatus === 'Completed' ? status : undefined;
        }, 20_000);
        expect(done.output).toEqual(Array.from({ length: steps }, (_, i) => `${key}:${i + 1}`));
        for (let i = 1; i <= steps; i++) {
          expect(await redis.get(`${first.redisPrefix}runs:${key}:${i}`), `step ${i}`).toBe('1');
        }
      } finally {
        await second.stop();
      }
    } finally {
      await deleteRedisPrefix(redis, first.redisPrefix);
      redis.disconnect();
    }
  });
});
