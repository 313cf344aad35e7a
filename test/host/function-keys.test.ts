import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../support/host-process.js';

describe('function keys (ARBOR_FUNCTION_KEY set)', () => {
  const key = 'k-0123456789abcdef-test';
  let host: HostProcess;
  const api = (path: string) => `${host.url}/api/${path}`;
  const put = (path: string, headers: Record<string, string> = {}) =>
    fetch(api(path), { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: '{"format":"csv"}' });

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_FUNCTION_KEY: key });
  });
  afterAll(async () => {
    await host.stop();
  });

  it('refuses a function-level route without the key, and writes nothing', async () => {
    const response = await put('datasets/locked');
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
    expect((await put('datasets/locked', { 'x-functions-key': 'wrong-key-of-some-length' })).status).toBe(401);
    const read = await fetch(api('datasets/locked'), { headers: { 'x-functions-key': key } });
    expect(read.status).toBe(404);
  });

  it('accepts the key as a header or as ?code=', async () => {
    expect((await put('datasets/opened', { 'x-functions-key': key })).status).toBe(201);
    expect((await fetch(api(`datasets/opened?code=${key}`))).status).toBe(200);
  });

  it('leaves anonymous routes open and protects the admin API', async () => {
    expect((await fetch(api('health'))).status).toBe(200);
    expect((await fetch(`${host.url}/admin/functions`)).status).toBe(401);
    expect((await fetch(`${host.url}/admin/functions`, { headers: { 'x-functions-key': key } })).status).toBe(200);
  });
});
