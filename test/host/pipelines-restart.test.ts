import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCountingServer, type CountingServer } from '../support/counting-server.js';
import { eventually, startHostProcess, uniqueName } from '../support/host-process.js';
import { pipelinesApi } from '../support/pipelines-api.js';

describe('a pipeline run survives its host being killed', () => {
  let server: CountingServer;

  beforeAll(async () => {
    server = await startCountingServer();
  });
  afterAll(async () => {
    await server.stop();
  });

  it('completes after a restart with every step run exactly once', async () => {
    const first = await startHostProcess({ ARBOR_EGRESS_ALLOW: '127.0.0.1' });
    const name = uniqueName('survivor');
    const path = (step: string) => `/${name}/${step}`;
    const steps = [
      { id: 'call-1', uses: 'http.call', with: { url: `${server.url}${path('1')}` } },
      { id: 'wait-1', uses: 'sleep', with: { ms: 1_500 }, dependsOn: ['call-1'] },
      { id: 'call-2', uses: 'http.call', with: { url: `${server.url}${path('2')}` }, dependsOn: ['wait-1'] },
      { id: 'wait-2', uses: 'sleep', with: { ms: 300 }, dependsOn: ['call-2'] },
      { id: 'call-3', uses: 'http.call', with: { url: `${server.url}${path('3')}` }, dependsOn: ['wait-2'] },
    ];
    let runId = '';
    try {
      expect((await pipelinesApi(first).register({ name, steps })).status).toBe(201);
      runId = await pipelinesApi(first).start(name);
      // Kill while wait-1 sleeps: its record says running, so call-1 is done and recorded.
      await eventually(async () => ((await pipelinesApi(first).run(runId)).steps['wait-1']?.state === 'running' ? true : undefined), 15_000, 50);
      expect(server.calls(path('1'))).toBe(1);
    } finally {
      await first.stop('SIGKILL');
    }
    expect(server.calls(path('2'))).toBe(0);

    const second = await startHostProcess({ ARBOR_EGRESS_ALLOW: '127.0.0.1', COSMOS_DATABASE: first.database, REDIS_KEY_PREFIX: first.redisPrefix, ARBOR_TASK_HUB: first.taskHub });
    try {
      const run = await pipelinesApi(second).finished(runId, 60_000);
      expect(run.state).toBe('succeeded');
      for (const step of ['1', '2', '3']) expect(server.calls(path(step)), `call-${step}`).toBe(1);
      expect(run.steps['call-1']?.attempts).toBe(1);
    } finally {
      await second.stop();
    }
  });
});
