import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StepContext } from '../../../../shared/pipelines/step-type.js';
import { httpCallStep, maxBodyBytes } from '../../../../shared/pipelines/steps/http-call.js';
import type { Services } from '../../../../shared/platform/services.js';
import { parseSettings } from '../../../../shared/platform/settings.js';

let server: Server;
let base = '';

/** http.call reads only its settings from the platform: the egress allowlist and its deadline. */
function stepContext(signal = new AbortController().signal, allow = '127.0.0.1'): StepContext {
  const settings = parseSettings({ AzureWebJobsStorage: 'DefaultEndpointsProtocol=http;AccountName=a;AccountKey=a', COSMOS_ENDPOINT: 'http://127.0.0.1:1', ARBOR_EGRESS_ALLOW: allow });
  return { services: { settings } as Services, runId: 'run', stepId: 'call', attempt: 2, signal, lineage: { read: () => {}, wrote: () => {} } };
}

const call = (input: unknown, signal?: AbortSignal, allow?: string) => httpCallStep.run(httpCallStep.input.parse(input), stepContext(signal, allow));

beforeAll(async () => {
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const url = (request.url ?? '/').split('?')[0];
      if (url === '/json') return void response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"hello":"world"}');
      if (url === '/text') return void response.writeHead(200, { 'content-type': 'text/plain' }).end('plain words');
      if (url === '/big') return void response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('é'.repeat(40_000));
      if (url === '/big-json') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: 'x'.repeat(50_000) }));
      if (url === '/broken') return void response.writeHead(500, { 'content-type': 'text/plain' }).end('the database is down');
      if (url === '/created') return void response.writeHead(201).end();
      if (url === '/slow') return; // never answers
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          method: request.method,
          contentType: request.headers['content-type'] ?? null,
          token: request.headers['x-token'] ?? null,
          idempotencyKey: request.headers['idempotency-key'] ?? null,
          body: Buffer.concat(chunks).toString(),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('http.call', () => {
  it('GETs by default and parses a JSON body', async () => {
    expect(await call({ url: `${base}/json` })).toEqual({ status: 200, body: { hello: 'world' } });
    expect(await call({ url: `${base}/text` })).toEqual({ status: 200, body: 'plain words' });
  });

  it('sends JSON bodies, text bodies and headers', async () => {
    expect(await call({ url: `${base}/echo`, method: 'POST', body: { a: 1 }, headers: { 'x-token': 't1' } })).toEqual({
      status: 200,
      body: { method: 'POST', contentType: 'application/json', token: 't1', idempotencyKey: 'run/call/2', body: '{"a":1}' },
    });
    const text = await call({ url: `${base}/echo`, method: 'PUT', body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(text.body).toMatchObject({ method: 'PUT', contentType: 'application/x-www-form-urlencoded', body: 'a=1' });
  });

  it('cuts text bodies, and JSON too big to keep, at maxBodyBytes (8 KB)', async () => {
    const big = await call({ url: `${base}/big` });
    expect(big.truncated).toBe(true);
    expect(Buffer.byteLength(big.body as string)).toBeLessThanOrEqual(maxBodyBytes);
    expect(big.body).toBe('é'.repeat(maxBodyBytes / 2));
    const bigJson = await call({ url: `${base}/big-json` });
    expect(typeof bigJson.body).toBe('string');
    expect((bigJson.body as string).length).toBe(maxBodyBytes);
    expect(bigJson.truncated).toBe(true);
  });

  it('throws an error naming the status when it is not the expected one', async () => {
    await expect(call({ url: `${base}/broken` })).rejects.toThrow(`GET ${base}/broken answered 500 (expected 2xx): the database is down`);
    await expect(call({ url: `${base}/json`, expectStatus: 201 })).rejects.toThrow(/answered 200 \(expected 201\)/);
    expect(await call({ url: `${base}/created`, expectStatus: [200, 201] })).toEqual({ status: 201, body: '' });
    expect(await call({ url: `${base}/broken`, expectStatus: 500 })).toMatchObject({ status: 500 });
  });

  it('says why a call could not be made', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(call({ url: `http://127.0.0.1:${port}/` })).rejects.toThrow(/failed: connect ECONNREFUSED/);
  });

  it('stops when the step is aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('step timed out');
    setTimeout(() => controller.abort(reason), 100);
    await expect(call({ url: `${base}/slow` }, controller.signal)).rejects.toBe(reason);
  });

  it('reaches no host outside ARBOR_EGRESS_ALLOW and no internal address, and keeps query strings out of errors', async () => {
    await expect(call({ url: `${base}/json` }, undefined, '')).rejects.toThrow(/127\.0\.0\.1 is not in ARBOR_EGRESS_ALLOW/);
    await expect(call({ url: 'http://169.254.169.254/metadata/instance?api-version=2021-02-01', headers: { Metadata: 'true' } }, undefined, 'metadata.example')).rejects.toThrow(
      /169\.254\.169\.254 is not in ARBOR_EGRESS_ALLOW/,
    );
    const refused = call({ url: `${base}/broken?sig=secret-token` });
    await expect(refused).rejects.toThrow(`GET ${base}/broken answered 500`);
    await expect(refused).rejects.not.toThrow(/secret-token/);
  });

  it('rejects a bad `with`', () => {
    const problems = (value: unknown) => {
      const parsed = httpCallStep.input.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    expect(problems({ url: 'ftp://example.com/x' })).toEqual(['url: must be an http or https URL']);
    expect(problems({ url: 'not a url' })).toEqual(['url: must be an http or https URL']);
    expect(problems({ url: `${base}/json`, method: 'FETCH' })).toEqual([expect.stringMatching(/^method: /)]);
    expect(problems({ url: `${base}/json`, expectStatus: 700 })).toHaveLength(1);
    expect(problems({ url: `${base}/json`, headers: { 'x-n': 1 } })).toHaveLength(1);
    expect(problems({ url: `${base}/json`, retries: 3 })).toHaveLength(1);
    expect(problems({ url: `${base}/json`, headers: { Host: 'internal.example' } })).toEqual(['headers: header Host may not be set']);
    expect(problems({ url: `${base}/${'x'.repeat(3_000)}` })).toHaveLength(1);
    expect(httpCallStep.input.parse({ url: `${base}/json` }).method).toBe('GET');
  });
});
