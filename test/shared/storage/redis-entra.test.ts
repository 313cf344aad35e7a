import { randomBytes } from 'node:crypto';
import type { AccessToken } from '@azure/identity';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntraTokenSource, objectIdOfToken, REDIS_ENTRA_SCOPE, type Timers } from '../../../shared/storage/redis-entra.js';
import { createRedis, usesEntraAuth } from '../../../shared/storage/redis.js';
import { redisConfig } from '../../../shared/platform/services.js';

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.${randomBytes(8).toString('base64url')}`;
}

/** A credential that hands out the tokens it is given, in order, and records each call. */
class FakeCredential {
  readonly calls: string[] = [];
  constructor(private readonly next: () => AccessToken | Error) {}
  async getToken(scopes: string | string[]): Promise<AccessToken | null> {
    this.calls.push(String(scopes));
    const result = this.next();
    if (result instanceof Error) throw result;
    return result;
  }
}

/** Manual clock: timers fire only when the test advances time. */
class FakeTimers implements Timers {
  time = 1_000_000;
  private queue: { at: number; callback: () => void; id: number }[] = [];
  private ids = 0;
  readonly requested: number[] = [];
  now(): number {
    return this.time;
  }
  setTimeout(callback: () => void, ms: number): unknown {
    this.requested.push(ms);
    const id = ++this.ids;
    this.queue.push({ at: this.time + ms, callback, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.queue = this.queue.filter((entry) => entry.id !== handle);
  }
  get pending(): number {
    return this.queue.length;
  }
  /** Moves the clock, firing due timers in order, and lets their promises settle. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      this.queue.sort((a, b) => a.at - b.at);
      const due = this.queue[0];
      if (!due || due.at > end) break;
      this.queue.shift();
      this.time = due.at;
      due.callback();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

const minute = 60_000;
const hour = 60 * minute;

describe('objectIdOfToken', () => {
  it('reads the oid claim of a JWT', () => {
    expect(objectIdOfToken(jwt({ oid: '1111-2222', sub: 'x' }))).toBe('1111-2222');
  });
  it('refuses a token that is not a JWT or has no oid', () => {
    expect(() => objectIdOfToken('opaque')).toThrow(/not a JWT/);
    expect(() => objectIdOfToken(jwt({ sub: 'x' }))).toThrow(/no oid/);
  });
});

describe('EntraTokenSource', () => {
  it('asks for the Redis scope once and serves the cached token while it is valid', async () => {
    const timers = new FakeTimers();
    const credential = new FakeCredential(() => ({ token: jwt({ oid: 'o1' }), expiresOnTimestamp: timers.now() + hour }));
    const source = new EntraTokenSource(credential, { timers });
    const [a, b] = await Promise.all([source.current(), source.current()]);
    expect(a).toBe(b);
    expect(await source.current()).toBe(a);
    expect(credential.calls).toEqual([REDIS_ENTRA_SCOPE]);
    expect(a.username).toBe('o1');
    // Inside the refresh margin (5 min before expiry) the cached token is no longer handed out.
    timers.time += hour - 4 * minute;
    await source.current();
    expect(credential.calls).toHaveLength(2);
  });

  it('refreshes before expiry, hands each new token to the listener, and keeps doing so', async () => {
    const timers = new FakeTimers();
    let n = 0;
    const credential = new FakeCredential(() => ({ token: jwt({ oid: 'o1', n: ++n }), expiresOnTimestamp: timers.now() + hour }));
    const source = new EntraTokenSource(credential, { timers, refreshMarginMs: 5 * minute });
    const seen: string[] = [];
    source.start((token) => void seen.push(token.password));
    await settle();
    expect(credential.calls).toHaveLength(1);
    expect(timers.requested.at(-1)).toBe(hour - 5 * minute);

    await timers.advance(hour - 5 * minute - 1);
    expect(credential.calls).toHaveLength(1);
    await timers.advance(1);
    expect(credential.calls).toHaveLength(2);
    expect(seen).toHaveLength(1);
    await timers.advance(hour - 5 * minute);
    expect(credential.calls).toHaveLength(3);
    expect(seen).toHaveLength(2);
    expect(new Set(seen).size).toBe(2);
    source.stop();
    expect(timers.pending).toBe(0);
    await timers.advance(10 * hour);
    expect(credential.calls).toHaveLength(3);
  });

  it('honours refreshAfterTimestamp and refreshes short-lived tokens at half their life', async () => {
    const timers = new FakeTimers();
    const lifetimes = [{ life: hour, refreshAfter: 20 * minute }, { life: 4 * minute }];
    let i = 0;
    const credential = new FakeCredential(() => {
      const spec = lifetimes[Math.min(i++, lifetimes.length - 1)]!;
      return {
        token: jwt({ oid: 'o1' }),
        expiresOnTimestamp: timers.now() + spec.life,
        ...(spec.refreshAfter ? { refreshAfterTimestamp: timers.now() + spec.refreshAfter } : {}),
      };
    });
    const source = new EntraTokenSource(credential, { timers });
    source.start(() => undefined);
    await settle();
    expect(timers.requested.at(-1)).toBe(20 * minute);
    await timers.advance(20 * minute);
    expect(timers.requested.at(-1)).toBe(2 * minute);
    source.stop();
  });

  it('retries a failed refresh with back-off, reports each failure, and resets after a success', async () => {
    const timers = new FakeTimers();
    const script: (AccessToken | Error)[] = [];
    const credential = new FakeCredential(() => script.shift() ?? new Error('IMDS unavailable'));
    const errors: unknown[] = [];
    const source = new EntraTokenSource(credential, { timers, retryDelaysMs: [1_000, 5_000, 30_000], onError: (e) => errors.push(e) });
    source.start(() => undefined);
    await settle();
    expect(errors).toHaveLength(1);
    expect(timers.requested).toEqual([1_000]);
    await timers.advance(1_000);
    await timers.advance(5_000);
    await timers.advance(30_000);
    expect(timers.requested).toEqual([1_000, 5_000, 30_000, 30_000]);
    expect(errors).toHaveLength(4);
    script.push({ token: jwt({ oid: 'o1' }), expiresOnTimestamp: timers.now() + 30_000 + hour });
    await timers.advance(30_000);
    expect(timers.requested.at(-1)).toBe(hour - 5 * minute);
    // After a success the back-off starts again from the first delay.
    await timers.advance(hour - 5 * minute);
    expect(timers.requested.at(-1)).toBe(1_000);
    source.stop();
  });

  it('counts a listener failure (a rejected AUTH) as a failed refresh', async () => {
    const timers = new FakeTimers();
    const credential = new FakeCredential(() => ({ token: jwt({ oid: 'o1' }), expiresOnTimestamp: timers.now() + hour }));
    const errors: unknown[] = [];
    const source = new EntraTokenSource(credential, { timers, onError: (e) => errors.push(e) });
    source.start(() => {
      throw new Error('WRONGPASS');
    });
    await settle();
    await timers.advance(hour - 5 * minute);
    expect(errors.map(String)).toEqual(['Error: WRONGPASS']);
    expect(timers.requested.at(-1)).toBe(1_000);
    source.stop();
  });
});

describe('usesEntraAuth, from the settings', () => {
  const base = { REDIS_KEY_PREFIX: 'arbor:', REDIS_ENTRA_AUTH: undefined, AZURE_CLIENT_ID: undefined };
  it.each([
    ['redis://127.0.0.1:6379', {}, false],
    ['rediss://amr.example.net:10000', {}, false],
    ['rediss://amr.example.net:10000', { AZURE_CLIENT_ID: 'c' }, true],
    ['redis://127.0.0.1:6379', { AZURE_CLIENT_ID: 'c' }, false],
    ['redis://127.0.0.1:6379', { REDIS_ENTRA_AUTH: 'true' as const }, true],
    ['rediss://amr.example.net:10000', { AZURE_CLIENT_ID: 'c', REDIS_ENTRA_AUTH: 'false' as const }, false],
    ['rediss://:key@amr.example.net:10000', { AZURE_CLIENT_ID: 'c', REDIS_ENTRA_AUTH: 'true' as const }, false],
  ])('%s %o -> %s', (url, extra, expected) => {
    expect(usesEntraAuth(redisConfig({ ...base, REDIS_URL: url, ...extra }))).toBe(expected);
  });
});

describe('createRedis against the real Redis', () => {
  const user = `arbor-entra-test-${randomBytes(4).toString('hex')}`;
  const admin = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const clients: Redis[] = [];

  beforeAll(async () => {
    await admin.connect();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await admin.call('ACL', 'DELUSER', user);
    admin.disconnect();
  });

  it('without an identity setting takes the plain URL path and never asks for a token', async () => {
    const credential = new FakeCredential(() => new Error('must not be called'));
    const client = createRedis({ url: redisUrl, keyPrefix: 'arbor-test:' }, { credential });
    clients.push(client);
    expect(await client.ping()).toBe('PONG');
    expect(client.options.Connector).toBeUndefined();
    expect(await client.call('ACL', 'WHOAMI')).toBe('default');
    expect(credential.calls).toEqual([]);
  });

  it('authenticates as the token oid, re-AUTHs with the refreshed token, and reconnects with it', async () => {
    const tokens = [jwt({ oid: user, n: 1 }), jwt({ oid: user, n: 2 })];
    // Redis's own ACL plays Azure Managed Redis: the user's only password is the first token.
    await admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${tokens[0]}`, '~*', '&*', '+@all');
    let issued = 0;
    // Each token lives 3 s, so the source refreshes it after 1.5 s (half its life).
    const credential = new FakeCredential(() => ({ token: tokens[Math.min(issued++, 1)]!, expiresOnTimestamp: Date.now() + 3_000 }));
    const errors: unknown[] = [];
    const client = createRedis(
      { url: redisUrl, keyPrefix: 'arbor-test:', entraAuth: true },
      { credential, onError: (e) => errors.push(e) },
    );
    clients.push(client);
    expect(await client.call('ACL', 'WHOAMI')).toBe(user);
    expect(credential.calls[0]).toBe(REDIS_ENTRA_SCOPE);

    // Rotate: only the second token is accepted from now on. The refresh must AUTH with it.
    await admin.call('ACL', 'SETUSER', user, 'resetpass', `>${tokens[1]}`);
    await waitFor(() => credential.calls.length >= 2 && client.options.password === tokens[1], 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors).toEqual([]);
    expect(await client.call('ACL', 'WHOAMI')).toBe(user);

    // A reconnect's handshake uses the current token (the first one would now be refused).
    client.disconnect(true);
    await waitFor(() => client.status === 'ready', 5_000);
    expect(await client.call('ACL', 'WHOAMI')).toBe(user);
    expect(await client.set('entra-probe', '1')).toBe('OK');
    await client.del('entra-probe');

    // The live re-AUTH really is sent: once the server accepts neither token, the next refresh fails.
    await admin.call('ACL', 'SETUSER', user, 'resetpass', '>neither-token');
    await waitFor(() => errors.some((e) => /WRONGPASS/.test(String(e))), 5_000);
  });

  it('reports a token the server refuses (the AUTH is really checked)', async () => {
    await admin.call('ACL', 'SETUSER', user, 'resetpass', '>something-else');
    const credential = new FakeCredential(() => ({ token: jwt({ oid: user, n: 3 }), expiresOnTimestamp: Date.now() + 3_000 }));
    const errors: unknown[] = [];
    const client = createRedis(
      { url: redisUrl, keyPrefix: 'arbor-test:', entraAuth: true },
      { credential, onError: (e) => errors.push(e) },
    );
    clients.push(client);
    client.on('error', (e) => errors.push(e));
    await waitFor(() => errors.some((e) => /WRONGPASS/.test(String(e))), 5_000);
    client.disconnect();
  });
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
