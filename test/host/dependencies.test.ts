import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runHostExpectingFailure, startHostProcess, type HostProcess } from '../support/host-process.js';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('dependencies that are down', () => {
  let host: HostProcess;

  beforeAll(async () => {
    // A configured Cosmos endpoint is used as is: the host starts no emulator for it.
    host = await startHostProcess({ COSMOS_ENDPOINT: `http://127.0.0.1:${await closedPort()}`, COSMOS_KEY: 'unused-key' });
  });
  afterAll(async () => {
    await host.stop();
  });

  it('health answers 503 and names the dependency that is down', async () => {
    const response = await fetch(`${host.url}/api/health`);
    expect(response.status).toBe(503);
    const health = (await response.json()) as { status: string; dependencies: Record<string, { status: string; error?: string }> };
    expect(health.status).toBe('degraded');
    expect(health.dependencies.cosmos?.status).toBe('down');
    expect(health.dependencies.cosmos?.error).toBeTruthy();
    expect(health.dependencies.redis?.status).toBe('up');
    expect(health.dependencies.blob?.status).toBe('up');
  });

  it('a request that needs it gets 503 dependency_unavailable naming it, not a stack trace', async () => {
    const response = await fetch(`${host.url}/api/datasets/anything`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"format":"csv"}',
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; details: Array<{ field: string; problem: string }> } };
    expect(body.error.code).toBe('dependency_unavailable');
    expect(body.error.details.map((d) => d.field)).toEqual(['cosmos']);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.js:\d+/);
  });

  it('refuses to start without a reachable Redis and says how to get one', async () => {
    // Not the loopback address the host would start a redis-server on.
    const { code, output } = await runHostExpectingFailure({ REDIS_URL: `redis://127.0.0.2:${await closedPort()}` });
    expect(code).toBe(1);
    expect(output).toMatch(/Redis is not reachable at redis:\/\/127\.0\.0\.2/);
    expect(output).toMatch(/REDIS_URL/);
  });

  it('starts a redis-server itself when none answers on a loopback REDIS_URL, and stops it after', async () => {
    const port = await closedPort();
    const own = await startHostProcess({ REDIS_URL: `redis://127.0.0.1:${port}` });
    try {
      expect(own.output.join('\n')).toMatch(/redis-server \(started here, nothing persisted\)/);
      const health = (await (await fetch(`${own.url}/api/health`)).json()) as { dependencies: { redis: { status: string } } };
      expect(health.dependencies.redis.status).toBe('up');
    } finally {
      await own.stop();
    }
    const { Redis } = await import('ioredis');
    const probe = new Redis(`redis://127.0.0.1:${port}`, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => undefined);
    await expect(probe.connect()).rejects.toThrow();
    probe.disconnect();
  });

  it('refuses to start on malformed settings, naming each', async () => {
    const { code, output } = await runHostExpectingFailure({ COSMOS_DATABASE: 'bad name!', ARBOR_HEARTBEAT_SCHEDULE: '*/5 * * * *' });
    expect(code).toBe(1);
    expect(output).toMatch(/COSMOS_DATABASE/);
    expect(output).toMatch(/ARBOR_HEARTBEAT_SCHEDULE: must be an NCRONTAB expression of 6 fields/);
  });

  it("refuses to start on malformed host settings, naming each, before starting anything", async () => {
    const { code, output } = await runHostExpectingFailure({
      ARBOR_BLOB_POLL_MS: 'abc',
      ARBOR_DURABLE_MAX_ACTIVITIES: '0',
      ARBOR_IN_MEMORY: 'yes',
      ARBOR_LOG_LEVEL: 'loud',
      ARBOR_FUNCTION_KEY: 'short',
      ARBOR_SYSTEM_KEY: 'short too',
      ARBOR_TASK_HUB: 'no hub!',
      PORT: '70000',
    });
    expect(code).toBe(1);
    for (const name of ['ARBOR_BLOB_POLL_MS', 'ARBOR_DURABLE_MAX_ACTIVITIES', 'ARBOR_IN_MEMORY', 'ARBOR_LOG_LEVEL', 'ARBOR_TASK_HUB', 'PORT']) {
      expect(output).toMatch(new RegExp(`^\\s*- ${name}: `, 'm'));
    }
    expect(output).toMatch(/ARBOR_FUNCTION_KEY: must be at least 16 characters/);
    expect(output).toMatch(/ARBOR_SYSTEM_KEY: must be at least 16 characters/);
    expect(output).not.toMatch(/starting dependencies/);
  });
});
