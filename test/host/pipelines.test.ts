import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingServer, type CountingServer } from '../support/counting-server.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { pipelinesApi, type RunView } from '../support/pipelines-api.js';

const ms = (iso?: string) => Date.parse(iso ?? '');

describe('pipelines through the local host', () => {
  let host: HostProcess;
  let server: CountingServer;
  let api: ReturnType<typeof pipelinesApi>;

  beforeAll(async () => {
    server = await startCountingServer();
    // Its http.call steps reach a counting server on loopback, which the egress policy refuses unless listed.
    host = await startHostProcess({ ARBOR_DURABLE_MAX_ACTIVITIES: '16', ARBOR_EGRESS_ALLOW: '127.0.0.1', ARBOR_STEP_DEFAULT_TIMEOUT_SECONDS: '5' });
    api = pipelinesApi(host);
  });
  afterAll(async () => {
    await host.stop();
    await server.stop();
  });

  async function registerAndRun(spec: { name: string } & Record<string, unknown>, params: Record<string, unknown> = {}): Promise<RunView> {
    const registered = await api.register(spec);
    expect(registered.status, await registered.clone().text()).toBe(201);
    return api.finished(await api.start(spec.name, params));
  }

  it('runs a diamond in dependency order with the two middle steps in parallel', async () => {
    const run = await registerAndRun({
      name: uniqueName('diamond'),
      steps: [
        { id: 'a', uses: 'noop', with: { echo: { rows: 3 } } },
        { id: 'b', uses: 'sleep', with: { ms: 700 }, dependsOn: ['a'] },
        { id: 'c', uses: 'sleep', with: { ms: 700 }, dependsOn: ['a'] },
        { id: 'd', uses: 'noop', with: { echo: { fromA: '${{ steps.a.outputs.rows }}' } }, dependsOn: ['b', 'c'] },
      ],
    });
    expect(run.state).toBe('succeeded');
    const { a, b, c, d } = run.steps as Record<string, RunView['steps'][string]>;
    for (const step of [a, b, c, d]) expect(step?.state).toBe('succeeded');
    expect(ms(a?.endedAt)).toBeLessThanOrEqual(ms(b?.startedAt));
    expect(ms(a?.endedAt)).toBeLessThanOrEqual(ms(c?.startedAt));
    // b and c overlap: each started before the other ended.
    expect(ms(b?.startedAt)).toBeLessThan(ms(c?.endedAt));
    expect(ms(c?.startedAt)).toBeLessThan(ms(b?.endedAt));
    expect(ms(d?.startedAt)).toBeGreaterThanOrEqual(Math.max(ms(b?.endedAt), ms(c?.endedAt)));
    // An upstream output travelled to d through an expression, keeping its type.
    expect(d?.outputs).toMatchObject({ fromA: 3 });
    const metrics = await (await api.get('metrics')).text();
    expect(metrics).toMatch(/arbor_pipeline_runs_total\{pipeline="diamond-[0-9a-f]+",event="succeeded"\} 1/);
    expect(metrics).toMatch(/arbor_pipeline_steps_total\{uses="sleep",event="succeeded"\} [2-9]/);
    expect(metrics).toMatch(/arbor_pipeline_step_duration_seconds_bucket\{le="1",uses="sleep"\} [2-9]/);
    expect(metrics).toContain('arbor_pipeline_steps_in_flight');
  });

  it("writes one history append per chain step: the step's signal and its result go into the episode that consumes them", async () => {
    const historyWrites = async () => {
      const metrics = await (await api.get('metrics')).text();
      let total = 0;
      for (const [, value] of metrics.matchAll(/^arbor_storage_operations_total\{store="blob",operation="write",[^}]*\} (\S+)$/gm)) total += Number(value);
      return total;
    };
    const chain = (length: number) => ({
      name: uniqueName(`chain${length}`),
      steps: Array.from({ length }, (_, i) => ({ id: `s${i}`, uses: 'noop', ...(i ? { dependsOn: [`s${i - 1}`] } : {}) })),
    });
    const appendsOf = async (length: number) => {
      const before = await historyWrites();
      expect((await registerAndRun(chain(length))).state).toBe('succeeded');
      return (await historyWrites()) - before;
    };
    const short = await appendsOf(5);
    const long = await appendsOf(25);
    // Per step: the one episode that consumes the step's signal and result and schedules the
    // next step. The signal is held for the result (the step raised it to its own run), and
    // neither is written on arrival: four appends before either change, three before the hold.
    // The run's own appends (load, record, finish) cancel out.
    const perStep = (long - short) / 20;
    expect(perStep).toBeGreaterThanOrEqual(1);
    expect(perStep).toBeLessThanOrEqual(1.25);
  });

  it('retries a step until it succeeds on its third attempt', async () => {
    const path = `/${uniqueName('flaky')}`;
    server.failNext(path, 2);
    const run = await registerAndRun({
      name: uniqueName('retrying'),
      steps: [{ id: 'call', uses: 'http.call', with: { url: `${server.url}${path}` }, retry: { attempts: 3, backoffSeconds: 0.1, backoffCoefficient: 1 } }],
    });
    expect(run.state).toBe('succeeded');
    expect(run.steps.call).toMatchObject({ state: 'succeeded', attempts: 3 });
    expect(server.calls(path)).toBe(3);
  });

  it('does not retry a step whose failure the same input would repeat (a 4xx), and says so', async () => {
    const path = `/${uniqueName('refused')}`;
    server.failNext(path, 5, 400);
    const name = uniqueName('refused');
    const run = await registerAndRun({
      name,
      steps: [{ id: 'call', uses: 'http.call', with: { url: `${server.url}${path}` }, retry: { attempts: 3, backoffSeconds: 0.1, backoffCoefficient: 1 } }],
    });
    expect(run.state).toBe('failed');
    expect(run.steps.call).toMatchObject({ state: 'failed', attempts: 1, error: expect.stringMatching(/answered 400 .*\(not retried: the same input fails the same way\)$/) });
    expect(server.calls(path)).toBe(1);
    // The outcome is in the host's log, at a level operators keep on.
    const outcome = new RegExp(`warning: run ${run.runId} of ${name} v1 \\(manual\\) failed in \\d+\\.\\d s$`);
    await eventually(async () => (host.output.some((line) => outcome.test(line)) ? true : undefined));
  });

  it('fails a step, marks its downstream upstream_failed, and lets an independent branch finish', async () => {
    const broken = `/${uniqueName('broken')}`;
    server.failNext(broken, Number.POSITIVE_INFINITY);
    const run = await registerAndRun({
      name: uniqueName('failing'),
      steps: [
        { id: 'bad', uses: 'http.call', with: { url: `${server.url}${broken}` } },
        { id: 'after-bad', uses: 'noop', dependsOn: ['bad'] },
        { id: 'after-after', uses: 'noop', dependsOn: ['after-bad'] },
        { id: 'free', uses: 'sleep', with: { ms: 400 } },
        { id: 'after-free', uses: 'noop', dependsOn: ['free'] },
      ],
    });
    expect(run.state).toBe('failed');
    expect(run.steps.bad).toMatchObject({ state: 'failed', attempts: 1 });
    expect(run.steps.bad?.error).toMatch(/500/);
    expect(run.steps['after-bad']?.state).toBe('upstream_failed');
    expect(run.steps['after-after']?.state).toBe('upstream_failed');
    expect(run.steps.free?.state).toBe('succeeded');
    expect(run.steps['after-free']?.state).toBe('succeeded');
  });

  it('stops a step that names no timeout after the default one, and refuses calls outside the egress allowlist', async () => {
    const run = await registerAndRun({
      name: uniqueName('unbounded'),
      steps: [
        { id: 'forever', uses: 'sleep', with: { ms: 600_000 } },
        { id: 'metadata', uses: 'http.call', with: { url: 'http://169.254.169.254/metadata/instance?api-version=2021-02-01', headers: { Metadata: 'true' } } },
      ],
    });
    expect(run.state).toBe('failed');
    expect(run.steps.forever).toMatchObject({ state: 'failed', error: expect.stringMatching(/timed out after 5 s/) });
    expect(run.steps.metadata).toMatchObject({ state: 'failed', error: expect.stringMatching(/169\.254\.169\.254 is not in ARBOR_EGRESS_ALLOW/) });
    expect(run.steps.metadata?.error).not.toContain('api-version');
  });

  it('rejects a spec with every problem listed, the cycle spelled out, and stores nothing', async () => {
    const name = uniqueName('invalid');
    const response = await api.register({
      name,
      schedule: 'every five minutes',
      steps: [
        { id: 'a', uses: 'noop', dependsOn: ['c'] },
        { id: 'b', uses: 'noop', dependsOn: ['a'] },
        { id: 'c', uses: 'noop', dependsOn: ['b'] },
        { id: 'd', uses: 'no.such.step' },
        { id: 'd', uses: 'noop', dependsOn: ['ghost'] },
        { id: 'e', uses: 'noop', with: { x: '${{ steps.f.outputs.y }}' } },
        { id: 'f', uses: 'noop' },
      ],
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; details: Array<{ field: string; problem: string }> } };
    expect(body.error.code).toBe('validation_failed');
    const problems = body.error.details.map((d) => `${d.field}: ${d.problem}`).join('\n');
    expect(problems).toContain('a -> c -> b -> a');
    expect(problems).toMatch(/no\.such\.step/);
    expect(problems).toMatch(/duplicate/i);
    expect(problems).toMatch(/ghost/);
    expect(problems).toMatch(/schedule/);
    expect(problems).toMatch(/steps\.f|"f"/);
    expect((await api.get(`pipelines/${name}`)).status).toBe(404);
  });

  it('rejects bad run requests: unknown pipeline, undeclared or mistyped params, malformed JSON', async () => {
    const name = uniqueName('params');
    expect((await api.register({ name, params: { day: { type: 'string', required: true } }, steps: [{ id: 'a', uses: 'noop' }] })).status).toBe(201);
    expect((await api.post(`pipelines/${uniqueName('nope')}/runs`)).status).toBe(404);
    const bad = await fetch(`${host.url}/api/pipelines/${name}/runs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: { day: 7, extra: true } }),
    });
    expect(bad.status).toBe(400);
    const fields = ((await bad.json()) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field);
    expect(fields.sort()).toEqual(['params.day', 'params.extra']);
    const missing = await api.post(`pipelines/${name}/runs`);
    expect(missing.status).toBe(400);
    const malformed = await fetch(`${host.url}/api/pipelines/${name}/runs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"params":' });
    expect(malformed.status).toBe(400);
    const runs = (await (await api.get(`pipelines/${name}/runs`)).json()) as { runs: unknown[] };
    expect(runs.runs).toHaveLength(0);
    expect((await api.get('runs/no-such-run')).status).toBe(404);
    expect((await api.post('runs/no-such-run/cancel')).status).toBe(404);
    expect((await api.post('runs/no-such-run/retry')).status).toBe(404);
    expect((await api.get('runs/bad%20id!')).status).toBe(400);
    expect((await api.get('pipelines/Bad_Name')).status).toBe(400);
    expect((await api.get(`pipelines/${uniqueName('nope')}/runs`)).status).toBe(404);
    const notJson = await fetch(`${host.url}/api/pipelines`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'name: x' });
    expect(notJson.status).toBe(415);
  });

  it('cancels a run: running steps finish, pending ones are skipped', async () => {
    const name = uniqueName('cancelled');
    expect((await api.register({
      name,
      steps: [
        { id: 's1', uses: 'sleep', with: { ms: 1500 } },
        { id: 's2', uses: 'sleep', with: { ms: 10 }, dependsOn: ['s1'] },
        { id: 's3', uses: 'noop', dependsOn: ['s2'] },
      ],
    })).status).toBe(201);
    const runId = await api.start(name);
    // Cancel while s1 runs, whatever the machine's speed: its record says so first.
    await eventually(async () => ((await api.run(runId)).steps.s1?.state === 'running' ? true : undefined), 15_000, 50);
    expect((await api.post(`runs/${runId}/cancel`)).status).toBe(202);
    const run = await api.finished(runId);
    expect(run.state).toBe('cancelled');
    expect(run.steps.s1?.state).toBe('succeeded');
    expect(run.steps.s2?.state).toBe('skipped');
    expect(run.steps.s3?.state).toBe('skipped');
    expect((await api.post(`runs/${runId}/cancel`)).status).toBe(409);
  });

  it('retries a failed run, reusing the outputs of the steps that succeeded', async () => {
    const first = `/${uniqueName('first')}`;
    const gate = `/${uniqueName('gate')}`;
    server.failNext(gate, Number.POSITIVE_INFINITY);
    const name = uniqueName('rerun');
    const failed = await registerAndRun({
      name,
      steps: [
        { id: 'extract', uses: 'http.call', with: { url: `${server.url}${first}` } },
        { id: 'gate', uses: 'http.call', with: { url: `${server.url}${gate}` }, dependsOn: ['extract'] },
        { id: 'load', uses: 'noop', with: { echo: { from: '${{ steps.extract.outputs.body.path }}' } }, dependsOn: ['gate'] },
      ],
    });
    expect(failed.state).toBe('failed');
    expect(failed.steps.load?.state).toBe('upstream_failed');
    server.failNext(gate, 0);
    const retried = await api.post(`runs/${failed.runId}/retry`);
    expect(retried.status).toBe(202);
    const { runId } = (await retried.json()) as { runId: string };
    const run = await api.finished(runId);
    expect(run).toMatchObject({ state: 'succeeded', retryOf: failed.runId });
    expect(run.steps.extract?.state).toBe('cached');
    expect(run.steps.extract?.outputs).toEqual(failed.steps.extract?.outputs);
    expect(server.calls(first)).toBe(1);
    expect(server.calls(gate)).toBe(2);
    expect(run.steps.load?.outputs).toMatchObject({ from: first });
    // Only a failed or cancelled run can be retried.
    expect((await api.post(`runs/${runId}/retry`)).status).toBe(409);
  });

  it('retries a failed run on the latest spec after a fix, running again only the changed step and what follows it', async () => {
    const first = `/${uniqueName('first')}`;
    const broken = `/${uniqueName('broken')}`;
    const fixed = `/${uniqueName('fixed')}`;
    server.failNext(broken, Number.POSITIVE_INFINITY, 404);
    const name = uniqueName('fixrun');
    const steps = (gateUrl: string) => [
      { id: 'extract', uses: 'http.call', with: { url: `${server.url}${first}` } },
      { id: 'gate', uses: 'http.call', with: { url: gateUrl }, dependsOn: ['extract'] },
      { id: 'load', uses: 'noop', with: { echo: { path: '${{ steps.gate.outputs.body.path }}' } }, dependsOn: ['gate'] },
    ];
    const failed = await registerAndRun({ name, steps: steps(`${server.url}${broken}`) });
    expect(failed.state).toBe('failed');
    expect((await api.register({ name, steps: steps(`${server.url}${fixed}`) })).status).toBe(201);
    const runsBefore = ((await (await api.get(`pipelines/${name}/runs`)).json()) as { runs: unknown[] }).runs.length;
    const refused = await api.post(`runs/${failed.runId}/retry?version=2`);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { details: [{ field: '?version' }] } });
    expect(((await (await api.get(`pipelines/${name}/runs`)).json()) as { runs: unknown[] }).runs).toHaveLength(runsBefore);

    const retried = await api.post(`runs/${failed.runId}/retry?version=latest`);
    expect(retried.status).toBe(202);
    const run = await api.finished(((await retried.json()) as { runId: string }).runId);
    expect(run).toMatchObject({ state: 'succeeded', pipeline: { name, version: 2 }, retryOf: failed.runId });
    expect(run.steps.extract?.state).toBe('cached');
    expect(run.steps.gate?.state).toBe('succeeded');
    expect(run.steps.load).toMatchObject({ state: 'succeeded', outputs: { path: fixed } });
    expect(server.calls(first)).toBe(1);
    expect(server.calls(fixed)).toBe(1);
  });
});
