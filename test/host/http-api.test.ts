import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../support/host-process.js';
import { cosmosClient, deleteRedisPrefix, redisClient } from '../support/clients.js';

interface ErrorBody {
  error: { code: string; message: string; details: Array<{ field: string; problem: string }> };
}

describe('HTTP functions through the local host', () => {
  let host: HostProcess;
  const api = (path: string) => `${host.url}/api/${path}`;
  const putJson = (path: string, body: string, contentType = 'application/json') =>
    fetch(api(path), { method: 'PUT', headers: { 'content-type': contentType }, body });

  beforeAll(async () => {
    host = await startHostProcess();
  });
  afterAll(async () => {
    await host.stop();
    const redis = redisClient();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
  });

  it('reports redis, blob and cosmos up in /api/health', async () => {
    const response = await fetch(api('health'));
    expect(response.status).toBe(200);
    const health = (await response.json()) as { status: string; dependencies: Record<string, { status: string; latencyMs: number }> };
    expect(health.status).toBe('ok');
    for (const name of ['redis', 'blob', 'cosmos']) {
      expect(health.dependencies[name]?.status, name).toBe('up');
      // "up" means it answered before the 2 s check timeout, so its latency lies in [0, 2000):
      // an absolute clock reading or a unit mix-up (seconds, microseconds) falls outside.
      const latency = health.dependencies[name]?.latencyMs as number;
      expect(Number.isFinite(latency), `${name} latency ${latency}`).toBe(true);
      expect(latency, name).toBeGreaterThanOrEqual(0);
      expect(latency, name).toBeLessThan(2_000);
    }
  });

  it('registers, reads and lists datasets in Cosmos DB', async () => {
    const created = await putJson('datasets/clicks', JSON.stringify({ format: 'jsonl', owner: 'growth' }));
    expect(created.status).toBe(201);
    const updated = await putJson('datasets/clicks', JSON.stringify({ format: 'jsonl', owner: 'ads' }));
    expect(updated.status).toBe(200);
    const read = (await (await fetch(api('datasets/clicks'))).json()) as { id: string; owner: string };
    expect(read).toMatchObject({ id: 'clicks', owner: 'ads' });
    // The document really is in the emulator, under this host's database.
    const { resource } = await cosmosClient().database(host.database).container('datasets').item('clicks', 'clicks').read<{ owner: string }>();
    expect(resource?.owner).toBe('ads');
    const list = (await (await fetch(api('datasets'))).json()) as { datasets: Array<{ id: string }> };
    expect(list.datasets.map((d) => d.id)).toContain('clicks');
  });

  it('exports request counts, latency histograms with fine buckets and process metrics', async () => {
    await fetch(api('health'));
    const text = await (await fetch(api('metrics'))).text();
    expect(text).toMatch(/arbor_function_invocations_total\{function="health",trigger="httpTrigger",outcome="2xx"\} [1-9]/);
    for (const le of ['0.001', '0.005', '0.01', '0.1', '1', '10']) {
      expect(text).toContain(`arbor_function_duration_seconds_bucket{le="${le}",function="health",trigger="httpTrigger"}`);
    }
    expect(text).toMatch(/process_cpu_user_seconds_total \d/);
    expect(text).toMatch(/nodejs_eventloop_lag_seconds/);
  });

  describe('bad input gets the documented error and changes nothing', () => {
    async function expectNoDataset(name: string): Promise<void> {
      const response = await fetch(api(`datasets/${name}`));
      expect(response.status).toBe(404);
      expect(((await response.json()) as ErrorBody).error.code).toBe('not_found');
    }

    it('malformed JSON -> 400 invalid_json', async () => {
      const response = await putJson('datasets/broken', '{"format": "csv",');
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe('invalid_json');
      expect(body.error.details[0]?.field).toBe('(body)');
      await expectNoDataset('broken');
    });

    it('wrong content type -> 415 unsupported_media_type naming the header', async () => {
      const response = await putJson('datasets/texty', 'format=csv', 'text/plain');
      expect(response.status).toBe(415);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe('unsupported_media_type');
      expect(body.error.details[0]).toMatchObject({ field: 'content-type' });
      await expectNoDataset('texty');
    });

    it('invalid fields -> 400 validation_failed naming each field', async () => {
      const response = await putJson('datasets/wrong', JSON.stringify({ format: 'xlsx', owner: 7, extra: true }));
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.error.code).toBe('validation_failed');
      const fields = body.error.details.map((d) => d.field);
      expect(fields).toEqual(expect.arrayContaining(['format', 'owner']));
      expect(body.error.details.some((d) => d.problem.includes('extra'))).toBe(true);
      await expectNoDataset('wrong');
    });

    it('missing route parameter -> 400 missing_parameter naming it', async () => {
      const before = (await (await fetch(api('datasets'))).json()) as { datasets: unknown[] };
      const response = await putJson('datasets', JSON.stringify({ format: 'csv' }));
      expect(response.status).toBe(400);
      const body = (await response.json()) as ErrorBody;
      expect(body.error).toMatchObject({ code: 'missing_parameter', details: [{ field: 'name' }] });
      const after = (await (await fetch(api('datasets'))).json()) as { datasets: unknown[] };
      expect(after.datasets).toHaveLength(before.datasets.length);
    });

    it('a malformed route parameter -> 400 naming it', async () => {
      const response = await putJson('datasets/Not_Valid', JSON.stringify({ format: 'csv' }));
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorBody).error.details[0]?.field).toBe('name');
    });

    it('unknown route -> 404 route_not_found; wrong method -> 405 with Allow', async () => {
      const unknown = await fetch(api('no/such/thing'));
      expect(unknown.status).toBe(404);
      expect(((await unknown.json()) as ErrorBody).error.code).toBe('route_not_found');
      const outside = await fetch(`${host.url}/elsewhere`);
      expect(outside.status).toBe(404);
      const wrongMethod = await fetch(api('health'), { method: 'DELETE' });
      expect(wrongMethod.status).toBe(405);
      expect(wrongMethod.headers.get('allow')).toBe('GET');
    });
  });
});
