import { randomBytes } from 'node:crypto';
import type { AccessToken } from '@azure/identity';
import { Redis, type Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EntraTokenSource } from '../../../shared/storage/redis-entra.js';
import { createRedis } from '../../../shared/storage/redis.js';
import { startTestRedisCluster, type TestRedisCluster } from '../../support/redis-cluster.js';

function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.${randomBytes(8).toString('base64url')}`;
}

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Entra tokens on a Redis Cluster (REDIS_CLUSTER=true with REDIS_ENTRA_AUTH, as infra deploys
 * with the OSS policy): every node connection authenticates as the token's oid, and each
 * refreshed token re-AUTHs every node. Redis's own ACL plays Azure Managed Redis on each node.
 */
describe('createRedis as a cluster client with Entra tokens', () => {
  let cluster: TestRedisCluster;
  const admins: Redis[] = [];
  let client: Cluster | undefined;
  const user = `arbor-entra-${randomBytes(4).toString('hex')}`;
  const setPassword = (token: string) => Promise.all(admins.map((admin) => admin.call('ACL', 'SETUSER', user, 'reset', 'on', `>${token}`, '~*', '&*', '+@all')));

  beforeAll(async () => {
    cluster = await startTestRedisCluster();
    for (const port of cluster.ports) admins.push(new Redis(port, '127.0.0.1'));
  });
  afterAll(async () => {
    client?.disconnect();
    for (const admin of admins) admin.disconnect();
    await cluster?.stop();
  });

  it('authenticates every node as the token oid and re-AUTHs them all with the refreshed token', async () => {
    const tokens = [jwt({ oid: user, n: 1 }), jwt({ oid: user, n: 2 })];
    await setPassword(tokens[0] as string);
    let issued = 0;
    const credential = {
      async getToken(): Promise<AccessToken> {
        return { token: tokens[Math.min(issued++, 1)] as string, expiresOnTimestamp: Date.now() + 3_000 };
      },
    };
    const errors: unknown[] = [];
    // Each token lives 3 s and is refreshed 0.5 s before it expires; until then every node connection shares it.
    const source = new EntraTokenSource(credential, { refreshMarginMs: 500, onError: (e) => errors.push(e) });
    client = createRedis({ url: cluster.url, keyPrefix: 'arbor-test:', entraAuth: true, cluster: true }, { tokens: source, onError: (e) => errors.push(e) }) as Cluster;
    // Keys on every master, so every node connection is made and used.
    await Promise.all(Array.from({ length: 60 }, (_, i) => (client as Cluster).set(`entra-${i}`, String(i))));
    const whoami = async () => Promise.all((client as Cluster).nodes('master').map((node) => node.call('ACL', 'WHOAMI')));
    expect(await whoami()).toEqual(cluster.ports.map(() => user));

    // Rotate: only the second token is accepted from now on; the refresh must AUTH each node with it.
    await setPassword(tokens[1] as string);
    await waitFor(() => issued >= 2, 5_000);
    await waitFor(async () => (client as Cluster).nodes('master').every((node) => node.options.password === tokens[1]), 5_000);
    expect(await whoami()).toEqual(cluster.ports.map(() => user));
    expect(await (client as Cluster).mget('entra-1')).toEqual(['1']);
    expect(errors).toEqual([]);

    // The live re-AUTH really is sent: once no node accepts either token, the next refresh fails.
    await Promise.all(admins.map((admin) => admin.call('ACL', 'SETUSER', user, 'resetpass', '>neither-token')));
    await waitFor(() => errors.some((e) => /WRONGPASS/.test(String(e))), 5_000);
  });
});
