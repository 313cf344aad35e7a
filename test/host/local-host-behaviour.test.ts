import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, redisClient } from '../support/clients.js';
import { eventually, startHostProcess, type HostProcess } from '../support/host-process.js';

/** The host's own behaviour, on a small fixture app rather than Arbor's functions. */
describe('local host with a fixture app', () => {
  let host: HostProcess;
  const redis = redisClient();

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_APP_ENTRY: 'dist/test/fixtures/app/index.js' });
  });
  afterAll(async () => {
    await host.stop();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
  });

  it('runs a runOnStartup timer once at start, with the timer object the worker gives', async () => {
    const runs = await eventually(async () => {
      const items = await redis.lrange(`${host.redisPrefix}startup-probe`, 0, -1);
      return items.length ? items : undefined;
    });
    expect(runs).toHaveLength(1);
    const timer = JSON.parse(runs[0] as string) as { isPastDue: boolean; scheduleStatus: { next: string } };
    expect(typeof timer.isPastDue).toBe('boolean');
    // Next run of "0 0 0 1 1 *" is next 1 January.
    expect(timer.scheduleStatus.next).toMatch(/-01-01T00:00:00\.000Z$/);
  });

  it('passes method, route parameters, catch-all, query, headers and body through, and returns headers and cookies', async () => {
    const response = await fetch(`${host.url}/api/echo/one/two/three?x=1&y=2`, {
      method: 'POST',
      headers: { 'x-test': 'hello', 'content-type': 'text/plain' },
      body: 'payload',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-echo')).toBe('yes');
    expect(response.headers.get('set-cookie')).toMatch(/^session=abc; Path=\/; HttpOnly/);
    // A body of known length goes out whole, with its length, not chunked.
    const text = await response.clone().text();
    expect(response.headers.get('transfer-encoding')).toBeNull();
    expect(response.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    expect(await response.json()).toEqual({
      method: 'POST',
      params: { first: 'one', rest: 'two/three' },
      query: { x: '1', y: '2' },
      header: 'hello',
      body: 'payload',
    });
  });

  it('applies route constraints', async () => {
    expect(await (await fetch(`${host.url}/api/typed/42`)).json()).toEqual({ id: 42 });
    expect((await fetch(`${host.url}/api/typed/abc`)).status).toBe(404);
  });

  it('turns an exception escaping a handler into a 500 that leaks nothing', async () => {
    const response = await fetch(`${host.url}/api/boom`);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'internal_error' } });
    expect(text).not.toContain('secret internal detail');
    expect(text).not.toMatch(/at .*\.js:\d+/);
    await eventually(async () => (host.output.some((line) => line.includes('secret internal detail')) ? true : undefined));
  });

  it('stops cleanly on SIGTERM', async () => {
    const code = await host.stop('SIGTERM');
    expect(code).toBe(0);
    expect(host.output.some((line) => line.includes('SIGTERM: stopping'))).toBe(true);
  });
});
