import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DependencyUnavailableError } from '../../../shared/storage/dependency.js';
import { callRedis } from '../../../shared/storage/redis-availability.js';
import { createRedis } from '../../../shared/storage/redis.js';
import { eventually } from '../../support/host-process.js';
import { freePort, startTestRedis, type TestRedis } from '../../support/redis-server.js';

/** callRedis against a redis-server this test owns, kills and restarts (issue 12 item 8). */
describe('callRedis: fail fast while the connection is lost', () => {
  let redis: TestRedis | undefined;
  let port: number;
  let client: ReturnType<typeof createRedis>;

  beforeAll(async () => {
    port = await freePort();
    redis = await startTestRedis(port);
    client = createRedis({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'availability:' });
    client.on('error', () => undefined);
  });
  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('waits for the first connect rather than refusing it', async () => {
    // Made just now: still connecting. The first call is queued and answered, not refused.
    const fresh = createRedis({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'availability:' });
    try {
      expect(fresh.status).not.toBe('ready');
      expect(await callRedis(fresh, () => fresh.ping())).toBe('PONG');
    } finally {
      fresh.disconnect();
    }
  });

  it('refuses a call in flight when the connection closes, every call after it at once, and serves again once Redis is back', async () => {
    expect(await callRedis(client, () => client.set('k', 'v'))).toBe('OK');
    // BLPOP on an empty list stays in flight until the connection closes under it. ioredis
    // resends it after reconnecting (autoResendUnfulfilledCommands), where it blocks the
    // connection for its timeout: 5 s, not for ever.
    const blocked = callRedis(client, () => client.blpop('nothing-here', 5));
    const outcome = blocked.then(
      () => 'answered',
      (error: unknown) => error,
    );
    // Kill Redis only once it holds the BLPOP: seen from a second connection.
    const probe = new Redis(`redis://127.0.0.1:${port}`);
    try {
      await eventually(async () => (/cmd=blpop/.test(String(await probe.client('LIST'))) ? true : undefined), 10_000, 10);
    } finally {
      probe.disconnect();
    }
    await redis?.stop('SIGKILL');
    redis = undefined;
    const error = await outcome;
    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect((error as DependencyUnavailableError).dependency).toBe('redis');

    // Lost: refused before anything is sent, whatever the client's reconnect state.
    for (let i = 0; i < 20; i++) {
      await expect(callRedis(client, () => client.get('k'))).rejects.toBeInstanceOf(DependencyUnavailableError);
    }

    redis = await startTestRedis(port);
    // Nothing persisted: the key is gone, and the answer is null rather than an error.
    expect(await eventually(async () => callRedis(client, () => client.get('k')).then((value) => ({ value }), () => undefined), 15_000, 20)).toEqual({ value: null });
  });
});
