import { request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../shared/platform/errors.js';
import { blobClient } from '../support/clients.js';
import { startCountingServer, type CountingServer } from '../support/counting-server.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { clusteredVectors } from '../support/vector-data.js';

interface RawAnswer {
  status: number;
  text: string;
}

/** A request through node:http, which (unlike fetch) sends whatever Host header it is given. */
function rawRequest(url: string, options: { method: string; headers: Record<string, string>; body?: string }): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: options.method, headers: options.headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/**
 * Sends a large body in 64 KB writes and notes how much was written when the answer arrived;
 * stops sending then. A host that reads the body before refusing answers only after all of it.
 */
function uploadUntilAnswered(url: string, totalBytes: number, headers: Record<string, string>): Promise<{ status: number; sentWhenAnswered: number; text: string }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const request = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(totalBytes), ...headers } });
    request.on('response', (response) => {
      answered = true;
      const sentWhenAnswered = sent;
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        request.destroy();
        resolve({ status: response.statusCode ?? 0, sentWhenAnswered, text: Buffer.concat(chunks).toString() });
      });
    });
    // The host may close the connection while we still write: that is the point.
    request.on('error', (error: NodeJS.ErrnoException) => {
      if (!answered && !['EPIPE', 'ECONNRESET'].includes(error.code ?? '')) reject(error);
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const pump = (): void => {
      while (!answered && sent < totalBytes) {
        const size = Math.min(chunk.length, totalBytes - sent);
        sent += size;
        if (!request.write(chunk.subarray(0, size))) {
          request.once('drain', pump);
          return;
        }
      }
      if (!answered) request.end();
    };
    pump();
  });
}

/** The host's peak resident memory (VmHWM), in bytes. */
function peakRss(pid: number): number {
  const line = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!line) throw new Error(`no VmHWM for process ${pid}`);
  return Number(line[1]) * 1024;
}

/** The HTTP edge of the app and the host: keys before bodies, JSON only, the own address only. */
describe('the HTTP edge', () => {
  const functionKey = 'fk-0123456789abcdef-edge';
  const maxDocumentBytes = 100_000;
  let host: HostProcess;
  let forged: CountingServer;
  const url = (path: string) => `${host.url}/api/${path}`;
  const keyed = (headers: Record<string, string> = {}) => ({ 'x-functions-key': functionKey, ...headers });
  const send = (method: string, path: string, init: { headers?: Record<string, string>; body?: string | Uint8Array } = {}) =>
    fetch(url(path), { method, headers: keyed(init.headers), ...(init.body === undefined ? {} : { body: init.body }) });
  const sendJson = (method: string, path: string, body: unknown) => send(method, path, { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  async function expectRefused(response: Response, status: number, code: string, field: string): Promise<void> {
    const text = await response.text();
    expect(response.status, text).toBe(status);
    const body = JSON.parse(text) as ErrorBody;
    expect(body.error.code).toBe(code);
    expect(body.error.details).toEqual([expect.objectContaining({ field })]);
  }

  const runState = async (runId: string) => ((await (await send('GET', `runs/${runId}`)).json()) as { state: string }).state;
  const runsOf = async (pipeline: string) => ((await (await send('GET', `pipelines/${pipeline}/runs`)).json()) as { runs: unknown[] }).runs.length;
  const finished = (runId: string) => eventually(async () => ((s) => (['succeeded', 'failed', 'cancelled'].includes(s) ? s : undefined))(await runState(runId)));

  beforeAll(async () => {
    forged = await startCountingServer();
    host = await startHostProcess({ ARBOR_FUNCTION_KEY: functionKey, ARBOR_RAG_MAX_DOCUMENT_BYTES: String(maxDocumentBytes) });
  });
  afterAll(async () => {
    await host?.stop();
    await forged?.stop();
  });

  it('refuses a RAG document blob over the size limit from its properties, without reading it', async () => {
    const container = blobClient().getContainerClient('documents');
    await container.createIfNotExists();
    const name = `${uniqueName('huge')}.txt`;
    const size = 48 * 1024 * 1024;
    await container.getBlockBlobClient(name).uploadData(Buffer.alloc(size, 'a'));
    try {
      const pid = host.process.pid as number;
      const before = peakRss(pid);
      const response = await sendJson('POST', 'rag/documents', { blob: { container: 'documents', name } });
      await expectRefused(response, 400, 'document_too_large', 'blob');
      // Reading the blob would hold it (and its text) in memory: the peak would grow by its size.
      expect(peakRss(pid) - before).toBeLessThan(size / 4);
    } finally {
      await container.deleteBlob(name);
    }
  });

  it('refuses an unauthenticated 90 MB POST before the client has finished sending it', async () => {
    const total = 90 * 1024 * 1024;
    const answer = await uploadUntilAnswered(url('pipelines'), total, {});
    expect(answer.status, answer.text).toBe(401);
    expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'unauthorized' } });
    expect(answer.sentWhenAnswered).toBeLessThan(total / 2);
    // A body declared over the 100 MB limit is refused before it is read, even with the key.
    const declaredTooLarge = await uploadUntilAnswered(url('pipelines'), 101 * 1024 * 1024, keyed());
    expect(declaredTooLarge.status, declaredTooLarge.text).toBe(413);
    expect(declaredTooLarge.sentWhenAnswered).toBeLessThan(50 * 1024 * 1024);
    // The durable API, served by the host itself, also asks for its key first.
    const durable = await uploadUntilAnswered(`${host.url}/runtime/webhooks/durabletask/orchestrators/pipeline-run`, total, {});
    expect(durable.status, durable.text).toBe(401);
    expect(durable.sentWhenAnswered).toBeLessThan(total / 2);
  });

  it('refuses text/plain, form and multipart posts on body-less routes (cancel, retry, snapshot, start-run), changing nothing', async () => {
    const simpleTypes = ['text/plain', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=b'];
    const pipeline = uniqueName('edge');
    expect((await sendJson('POST', 'pipelines', { name: pipeline, steps: [{ id: 'wait', uses: 'sleep', with: { ms: 1_500 } }] })).status).toBe(201);
    const started = await send('POST', `pipelines/${pipeline}/runs`);
    expect(started.status, await started.clone().text()).toBe(202);
    const { runId } = (await started.json()) as { runId: string };

    for (const contentType of simpleTypes) {
      await expectRefused(await send('POST', `runs/${runId}/cancel`, { headers: { 'content-type': contentType } }), 415, 'unsupported_media_type', 'content-type');
      await expectRefused(await send('POST', `runs/${runId}/retry`, { headers: { 'content-type': contentType } }), 415, 'unsupported_media_type', 'content-type');
      await expectRefused(await send('POST', `pipelines/${pipeline}/runs`, { headers: { 'content-type': contentType } }), 415, 'unsupported_media_type', 'content-type');
      await expectRefused(await send('POST', `pipelines/${pipeline}/runs`, { headers: { 'content-type': contentType }, body: '{}' }), 415, 'unsupported_media_type', 'content-type');
    }
    // A body without any content type is not JSON either.
    await expectRefused(await send('POST', `pipelines/${pipeline}/runs`, { body: new Uint8Array(Buffer.from('{}')) }), 415, 'unsupported_media_type', 'content-type');
    // The cancel was refused: the run finishes its step.
    expect(await finished(runId)).toBe('succeeded');
    expect(await runsOf(pipeline)).toBe(1);

    const collection = uniqueName('edge');
    expect((await sendJson('PUT', `collections/${collection}`, { dimension: 4, metric: 'l2', shards: 1 })).status).toBe(201);
    expect((await sendJson('POST', `collections/${collection}/items`, { items: [{ id: 'a', vector: [1, 0, 0, 0] }] })).status).toBe(200);
    for (const contentType of simpleTypes) {
      await expectRefused(await send('POST', `collections/${collection}/snapshot`, { headers: { 'content-type': contentType } }), 415, 'unsupported_media_type', 'content-type');
      await expectRefused(await send('DELETE', `collections/${collection}/items/a`, { headers: { 'content-type': contentType } }), 415, 'unsupported_media_type', 'content-type');
      await expectRefused(await send('DELETE', `collections/${collection}`, { headers: { 'content-type': contentType } }), 415, 'unsupported_media_type', 'content-type');
    }
    const described = (await (await send('GET', `collections/${collection}`)).json()) as { items: number; shardStats: Array<{ lastSnapshot: unknown }> };
    expect(described.items).toBe(1);
    expect(described.shardStats[0]?.lastSnapshot).toBeNull();

    // JSON, or no body and no content type, still works.
    expect((await send('POST', `collections/${collection}/snapshot`)).status).toBe(200);
    expect((await send('POST', `collections/${collection}/snapshot`, { headers: { 'content-type': 'application/json' } })).status).toBe(200);
  });

  it('refuses a state-changing request a browser marks as cross-site, even without a body', async () => {
    const pipeline = uniqueName('xsite');
    expect((await sendJson('POST', 'pipelines', { name: pipeline, steps: [{ id: 'n', uses: 'noop' }] })).status).toBe(201);
    await expectRefused(await send('POST', `pipelines/${pipeline}/runs`, { headers: { 'sec-fetch-site': 'cross-site' } }), 403, 'cross_site_request', 'sec-fetch-site');
    await expectRefused(await send('POST', `pipelines/${pipeline}/runs`, { headers: { origin: 'http://evil.example' } }), 403, 'cross_site_request', 'origin');
    expect(await runsOf(pipeline)).toBe(0);
    // The app's own pages (same origin) are served.
    const own = await send('POST', `pipelines/${pipeline}/runs`, { headers: { 'sec-fetch-site': 'same-origin', origin: host.url } });
    expect(own.status, await own.clone().text()).toBe(202);
  });

  it('takes protobuf only where the route says so (shard search), and nothing simple there', async () => {
    const collection = uniqueName('proto');
    expect((await sendJson('PUT', `collections/${collection}`, { dimension: 4, metric: 'l2', shards: 2 })).status).toBe(201);
    await expectRefused(await send('POST', `collections/${collection}/shards/0/search`, { headers: { 'content-type': 'text/plain' }, body: 'x' }), 415, 'unsupported_media_type', 'content-type');
    await expectRefused(await sendJson('POST', `collections/${collection}/shards/0/search`, {}), 415, 'unsupported_media_type', 'content-type');
  });

  it('fans a query out to its own configured address, never to the Host header, forwarding the key only there', async () => {
    const collection = uniqueName('fanout');
    const dimension = 8;
    expect((await sendJson('PUT', `collections/${collection}`, { dimension, metric: 'cosine', shards: 4 })).status).toBe(201);
    const items = clusteredVectors(200, dimension, { seed: 3 }).map((vector, i) => ({ id: `v-${i}`, vector }));
    expect((await sendJson('POST', `collections/${collection}/items`, { items })).status).toBe(200);
    const query = JSON.stringify({ vector: (items[7] as { vector: number[] }).vector, k: 5 });
    const forgedHost = new URL(forged.url).host;

    const answer = await rawRequest(url(`collections/${collection}/query`), {
      method: 'POST',
      headers: { host: forgedHost, 'content-type': 'application/json', 'x-functions-key': functionKey },
      body: query,
    });
    expect(answer.status, answer.text).toBe(200);
    const body = JSON.parse(answer.text) as { results: Array<{ id: string }>; partial: boolean; shards: { asked: number; answered: number } };
    expect(body.partial).toBe(false);
    expect(body.shards).toEqual({ asked: 4, answered: 4 });
    expect(body.results[0]?.id).toBe('v-7');
    expect(forged.total()).toBe(0);
  });
});
