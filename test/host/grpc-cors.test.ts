import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGrpcServerSettings } from '../../local/grpc/settings.js';
import { SettingsError } from '../../shared/platform/settings.js';
import { startGrpcServerProcess, type GrpcServerProcess } from '../support/grpc-server-process.js';

/**
 * CORS on the gRPC server, as a browser exercises it: the preflight a page's gRPC-Web or Connect
 * call sends first, then the call itself, from an allowed origin and from another one.
 */
const key = 'grpc-cors-test-function-key-0123456789';
const allowed = 'http://console.example:8080';
let server: GrpcServerProcess;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(method: string, path: string, headers: Record<string, string>, body = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${server.url}${path}`, { method, headers }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const preflight = (origin: string) =>
  send('OPTIONS', '/arbor.vectors.v1.VectorService/Query', {
    origin,
    'access-control-request-method': 'POST',
    'access-control-request-headers': 'content-type,connect-protocol-version,x-functions-key',
  });
const connectHealthCheck = (origin: string) =>
  send('POST', '/grpc.health.v1.Health/Check', { origin, 'content-type': 'application/json', 'connect-protocol-version': '1' }, '{}');
const listed = (value: string | string[] | undefined) => String(value ?? '').toLowerCase().split(/,\s*/);

beforeAll(async () => {
  server = await startGrpcServerProcess({ ARBOR_FUNCTION_KEY: key, ARBOR_GRPC_CORS_ORIGINS: `${allowed}, https://other.example` });
}, 60_000);
afterAll(async () => server?.stop());

describe('CORS on the gRPC server', () => {
  it('answers an allowed origin preflight with what gRPC-Web and Connect calls send, and exposes the status headers on the call', async () => {
    const answer = await preflight(allowed);
    expect(answer.status).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe(allowed);
    expect(listed(answer.headers['access-control-allow-methods'])).toContain('post');
    expect(listed(answer.headers['access-control-allow-headers'])).toEqual(expect.arrayContaining(['content-type', 'connect-protocol-version', 'x-grpc-web', 'grpc-timeout', 'x-functions-key', 'authorization']));
    expect(Number(answer.headers['access-control-max-age'])).toBeGreaterThan(0);
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();

    const call = await connectHealthCheck(allowed);
    expect(call.status).toBe(200);
    expect(JSON.parse(call.body)).toEqual({ status: 'SERVING' });
    expect(call.headers['access-control-allow-origin']).toBe(allowed);
    expect(listed(call.headers['access-control-expose-headers'])).toEqual(expect.arrayContaining(['grpc-status', 'grpc-message']));
    expect(listed(call.headers.vary)).toContain('origin');
  });

  it('refuses another origin preflight and gives its calls no CORS headers; calls without an Origin are as before', async () => {
    const refused = await preflight('http://evil.example');
    expect(refused.status).toBe(403);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    expect(refused.body).toContain('ARBOR_GRPC_CORS_ORIGINS');

    const call = await connectHealthCheck('http://evil.example');
    expect(call.status).toBe(200);
    expect(call.headers['access-control-allow-origin']).toBeUndefined();
    // A page on a sibling origin (another port) is another origin.
    expect((await preflight('http://console.example:8081')).status).toBe(403);

    const plain = await send('POST', '/grpc.health.v1.Health/Check', { 'content-type': 'application/json', 'connect-protocol-version': '1' }, '{}');
    expect(plain.status).toBe(200);
    expect(plain.headers['access-control-allow-origin']).toBeUndefined();
    // The function key still guards everything but health and reflection, whatever the origin.
    const unauthenticated = await send('POST', '/arbor.vectors.v1.VectorService/Query', { origin: allowed, 'content-type': 'application/json', 'connect-protocol-version': '1' }, '{}');
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers['access-control-allow-origin']).toBe(allowed);
  });

  it('refuses origins that are not scheme://host[:port] or *, naming the setting', () => {
    for (const value of ['http://console.example/', 'console.example', 'ftp://console.example', 'http://a.example/path', Array.from({ length: 51 }, (_, i) => `http://h${i}.example`).join(',')]) {
      const attempt = () => parseGrpcServerSettings({ ARBOR_GRPC_CORS_ORIGINS: value, ARBOR_FUNCTION_KEY: key });
      expect(attempt, value).toThrow(SettingsError);
      expect(attempt, value).toThrow(/ARBOR_GRPC_CORS_ORIGINS/);
    }
    expect(parseGrpcServerSettings({ ARBOR_GRPC_CORS_ORIGINS: '*', ARBOR_FUNCTION_KEY: key }).ARBOR_GRPC_CORS_ORIGINS).toEqual(['*']);
    expect(parseGrpcServerSettings({ ARBOR_FUNCTION_KEY: key }).ARBOR_GRPC_CORS_ORIGINS).toEqual([]);
  });
});
