import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpc, grpcClients, unary } from '../support/grpc-client.js';
import { startGrpcServerProcess, type GrpcServerProcess } from '../support/grpc-server-process.js';

/**
 * The gRPC server on its own (`node dist/local/grpc/main.js`, the Container App's entry point),
 * checking Entra access tokens. The tenant's key set is served by the test on 127.0.0.1; the
 * tokens are signed here with node:crypto, independently of the server's verifier.
 */
const tenantId = randomUUID();
const audience = 'api://arbor-grpc-test';
const clientId = randomUUID();
const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'test-key-1';

let keyServer: Server;
let authority: string;
let keySetFetches = 0;
let server: GrpcServerProcess;
let clients: ReturnType<typeof grpcClients>;

function jwt(claims: Record<string, unknown>, options: { key?: KeyObject; kid?: string; alg?: string } = {}): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: options.alg ?? 'RS256', typ: 'JWT', kid: options.kid ?? kid });
  const payload = encode(claims);
  const signature = options.alg === 'none' ? '' : sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), options.key ?? signingKey.privateKey).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
/** A v2 access token as Entra issues one for an app calling this API. */
const goodClaims = () => ({ iss: `${authority}/${tenantId}/v2.0`, aud: audience, tid: tenantId, azp: clientId, oid: randomUUID(), iat: nowSeconds(), nbf: nowSeconds() - 10, exp: nowSeconds() + 3600 });

const withToken = (token: string) => {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
};
const query = (metadata?: InstanceType<typeof grpc.Metadata>) => unary(clients.vectors, 'query', { collection: 'no-such-collection', vector: [1, 0, 0, 0], k: 1 }, metadata ? { metadata } : {});

beforeAll(async () => {
  keyServer = createServer((request, response) => {
    if (request.url === `/${tenantId}/discovery/v2.0/keys`) {
      keySetFetches++;
      const jwk = signingKey.publicKey.export({ format: 'jwk' });
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [{ ...jwk, kid, use: 'sig' }] }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => keyServer.listen(0, '127.0.0.1', resolve));
  authority = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
  server = await startGrpcServerProcess({
    ARBOR_GRPC_ENTRA_TENANT_ID: tenantId,
    ARBOR_GRPC_ENTRA_AUDIENCE: `${audience}, ${clientId}-api`,
    ARBOR_GRPC_ENTRA_AUTHORITY: authority,
  });
  clients = grpcClients(server.address);
}, 60_000);

afterAll(async () => {
  clients?.close();
  await server?.stop();
  await new Promise((resolve) => keyServer?.close(resolve));
});

describe('the gRPC server on its own', () => {
  it('says what it serves and which credential it takes', () => {
    expect(server.output.join('\n')).toMatch(/Arbor gRPC server: http:\/\/127\.0\.0\.1:\d+ \(gRPC, gRPC-Web and Connect; an Entra token required\)/);
    // It started no emulator: the local host's dependency lines are absent.
    expect(server.output.join('\n')).not.toMatch(/starting dependencies|Azurite|cosmosdb/i);
  });

  it('answers health checks without a token', async () => {
    expect((await unary<{ status: string }>(clients.health, 'check', { service: '' })).value?.status).toBe('SERVING');
  });

  it('refuses a call without a token: UNAUTHENTICATED naming what it needs', async () => {
    const { error } = await query();
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
    expect(error?.details).toMatch(/Entra access token/);
  });

  it.each([
    ['not a JWT', () => 'not-a-token'],
    ['signed by a key the tenant does not publish', () => jwt(goodClaims(), { key: strangerKey.privateKey })],
    ['with an unknown key id', () => jwt(goodClaims(), { kid: 'another-key' })],
    ['unsigned (alg none)', () => jwt(goodClaims(), { alg: 'none' })],
    ['for another audience', () => jwt({ ...goodClaims(), aud: 'api://someone-else' })],
    ['from another tenant', () => jwt({ ...goodClaims(), iss: `${authority}/${randomUUID()}/v2.0` })],
    ['expired', () => jwt({ ...goodClaims(), exp: nowSeconds() - 3600 })],
    ['not valid yet', () => jwt({ ...goodClaims(), nbf: nowSeconds() + 3600 })],
    ['with its payload changed after signing', () => {
      const [header, , signature] = jwt(goodClaims()).split('.');
      return `${header}.${Buffer.from(JSON.stringify({ ...goodClaims(), aud: audience, oid: 'someone-else' })).toString('base64url')}.${signature}`;
    }],
  ])('refuses a token %s: UNAUTHENTICATED', async (_, token) => {
    const { error } = await query(withToken(token()));
    expect(error?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('refuses an authorization header that is not a bearer token', async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Basic ${Buffer.from('user:pass').toString('base64')}`);
    expect((await query(metadata)).error?.code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('lets a good token through to the handler (v2 and v1 issuers, either audience)', async () => {
    // The collection does not exist: NOT_FOUND is the handler's answer, past the token check and from Cosmos DB.
    expect((await query(withToken(jwt(goodClaims())))).error?.code).toBe(grpc.status.NOT_FOUND);
    const v1 = jwt({ ...goodClaims(), iss: `https://sts.windows.net/${tenantId}/`, aud: `${clientId}-api`, appid: clientId });
    expect((await query(withToken(v1))).error?.code).toBe(grpc.status.NOT_FOUND);
    // The key set was read once and kept.
    expect(keySetFetches).toBe(1);
  });

  it('has no durable client: StartRun is UNAVAILABLE, pointing at the Function App', async () => {
    const { error } = await unary(clients.pipelines, 'startRun', { pipeline: 'any' }, { metadata: withToken(jwt(goodClaims())) });
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
  });
});
