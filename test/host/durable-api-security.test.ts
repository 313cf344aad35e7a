import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../shared/platform/errors.js';
import { startCountingServer, type CountingServer } from '../support/counting-server.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';

interface Status {
  runtimeStatus: string;
  output: unknown;
}

interface RunView {
  runId: string;
  state: string;
  steps: Record<string, { state: string }>;
}

/**
 * The durable client's REST API, as the local host serves it: only the system key opens it
 * (the app's own durable client gets the key in its binding's URLs, as from the extension), a
 * POST must be JSON, and the run orchestrator runs only what was registered.
 */
describe('the local durable API', () => {
  const functionKey = 'fk-0123456789abcdef-durable';
  let host: HostProcess;
  let server: CountingServer;
  const webhook = (path: string) => `${host.url}/runtime/webhooks/durabletask/${path}`;
  const withSystemKey = (headers: Record<string, string> = {}) => ({ 'x-functions-key': host.systemKey, ...headers });
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${host.url}/api/${path}`, { ...init, headers: { 'x-functions-key': functionKey, ...(init.headers as Record<string, string>) } });
  const postJson = (path: string, body: unknown) =>
    api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const status = async (id: string): Promise<Response> => fetch(webhook(`instances/${id}`), { headers: withSystemKey() });
  const run = async (runId: string): Promise<RunView> => (await (await api(`runs/${runId}`)).json()) as RunView;
  const finishedRun = (runId: string) =>
    eventually(async () => {
      const current = await run(runId);
      return ['succeeded', 'failed', 'cancelled'].includes(current.state) ? current : undefined;
    });
  const finishedInstance = (id: string) =>
    eventually(async () => {
      const response = await status(id);
      if (response.status !== 200) return undefined;
      const current = (await response.json()) as Status;
      return ['Completed', 'Failed', 'Terminated'].includes(current.runtimeStatus) ? current : undefined;
    });

  async function expectUnauthorized(response: Response): Promise<void> {
    expect(response.status).toBe(401);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'x-functions-key' })]);
  }

  async function expectUnsupportedMediaType(response: Response): Promise<void> {
    expect(response.status).toBe(415);
    const body = (await response.json()) as ErrorBody;
    expect(body.error.code).toBe('unsupported_media_type');
    expect(body.error.details).toEqual([expect.objectContaining({ field: 'content-type' })]);
  }

  async function registerPipeline(steps: unknown[]): Promise<string> {
    const name = uniqueName('durable-sec');
    const registered = await postJson('pipelines', { name, steps });
    expect(registered.status, await registered.clone().text()).toBe(201);
    return name;
  }

  async function startRun(name: string): Promise<string> {
    const started = await postJson(`pipelines/${name}/runs`, { params: {} });
    expect(started.status, await started.clone().text()).toBe(202);
    return ((await started.json()) as { runId: string }).runId;
  }

  beforeAll(async () => {
    server = await startCountingServer();
    host = await startHostProcess({ ARBOR_FUNCTION_KEY: functionKey });
  });
  afterAll(async () => {
    await host?.stop();
    await server?.stop();
  });

  it('answers only to the system key: not to no key, not to the function key', async () => {
    await expectUnauthorized(await fetch(webhook('instances')));
    await expectUnauthorized(await fetch(webhook('instances'), { headers: { 'x-functions-key': functionKey } }));
    await expectUnauthorized(await fetch(webhook('instances'), { headers: { 'x-functions-key': `${host.systemKey}x` } }));
    expect((await fetch(webhook('instances'), { headers: withSystemKey() })).status).toBe(200);
    expect((await fetch(webhook(`instances?code=${encodeURIComponent(host.systemKey)}`))).status).toBe(200);
  });

  it('starts nothing for a caller without the key', async () => {
    const id = uniqueName('nokey');
    const refused = await fetch(webhook(`orchestrators/pipeline-run/${id}`), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ runId: id }),
    });
    await expectUnauthorized(refused);
    expect((await status(id)).status).toBe(404);
  });

  it("lets the app's own durable client work (start, raise event, cancel), and refuses to terminate or purge without the key", async () => {
    const name = await registerPipeline([
      { id: 'wait', uses: 'sleep', with: { ms: 1_500 } },
      { id: 'after', uses: 'noop', dependsOn: ['wait'] },
    ]);
    const runId = await startRun(name);
    await eventually(async () => ((await status(runId)).status === 200 ? true : undefined));

    await expectUnauthorized(await fetch(webhook(`instances/${runId}/terminate?reason=mine`), { method: 'POST' }));
    await expectUnauthorized(await fetch(webhook(`instances/${runId}`), { method: 'DELETE' }));
    await expectUnauthorized(
      await fetch(webhook(`instances/${runId}/raiseEvent/pipeline-signal`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'cancel' }),
      }),
    );
    expect(((await (await status(runId)).json()) as Status).runtimeStatus).toBe('Running');

    // cancel-run raises the event through df.getClient: the key travels in the binding's URLs.
    const cancelled = await api(`runs/${runId}/cancel`, { method: 'POST' });
    expect(cancelled.status, await cancelled.clone().text()).toBe(202);
    const done = await finishedRun(runId);
    expect(done.state).toBe('cancelled');
    expect(done.steps.wait?.state).toBe('succeeded');
    expect(done.steps.after?.state).toBe('skipped');
  });

  it('refuses text/plain, form and multipart posts (a web page can send those cross-site), starting nothing', async () => {
    const id = uniqueName('texty');
    const body = JSON.stringify({ runId: id });
    for (const contentType of ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const response = await fetch(webhook(`orchestrators/pipeline-run/${id}`), { method: 'POST', headers: withSystemKey({ 'content-type': contentType }), body });
      await expectUnsupportedMediaType(response);
    }
    // A body with no content type at all is not JSON either.
    const bare = await fetch(webhook(`orchestrators/pipeline-run/${id}`), { method: 'POST', headers: withSystemKey(), body: new Uint8Array(Buffer.from(body)) });
    await expectUnsupportedMediaType(bare);
    expect((await status(id)).status).toBe(404);
    const terminate = await fetch(webhook(`instances/${id}/terminate?reason=x`), { method: 'POST', headers: withSystemKey({ 'content-type': 'text/plain' }) });
    await expectUnsupportedMediaType(terminate);
  });

  it('runs a pipeline-run orchestration only for a recorded run, with the registered spec: a forged one runs nothing and writes no record', async () => {
    const name = await registerPipeline([{ id: 'only', uses: 'noop' }]);
    const runId = await startRun(name);
    expect((await finishedRun(runId)).state).toBe('succeeded');
    const forgedSpec = { name, steps: [{ id: 'evil', uses: 'http.call', with: { url: `${server.url}/evil` } }] };
    const forge = (instanceId: string, input: unknown) =>
      fetch(webhook(`orchestrators/pipeline-run/${instanceId}`), {
        method: 'POST',
        headers: withSystemKey({ 'content-type': 'application/json' }),
        body: JSON.stringify(input),
      });

    // Into the finished run's own record, with its instance id; and under a run id nobody recorded.
    const fresh = uniqueName(`${name}-forged`);
    const attempts = [
      { instanceId: runId, input: { runId, spec: forgedSpec, params: {}, reuse: {} } },
      { instanceId: fresh, input: { runId: fresh, spec: forgedSpec, params: {}, reuse: {} } },
      { instanceId: uniqueName('other'), input: { runId, spec: forgedSpec, params: {}, reuse: {} } },
      {
        instanceId: runId,
        input: { runId, spec: forgedSpec, params: {}, reuse: {}, carry: { schedule: { steps: [] }, outputs: {}, cancelled: false, failed: false, execution: 2 } },
      },
    ];
    for (const { instanceId, input } of attempts) {
      const started = await forge(instanceId, input);
      expect(started.status, await started.clone().text()).toBe(202);
      expect((await finishedInstance(instanceId)).runtimeStatus).toBe('Failed');
    }

    expect(server.total()).toBe(0);
    const after = await run(runId);
    expect(after.state).toBe('succeeded');
    expect(Object.keys(after.steps)).toEqual(['only']);
    expect((await api(`runs/${fresh}`)).status).toBe(404);
  });
});
