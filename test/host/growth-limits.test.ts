import type { Container } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient, cosmosClient, deleteRedisPrefix, redisClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { pipelinesApi } from '../support/pipelines-api.js';

/**
 * What grows is bounded (issue 12 item 9): a cap on collections, and a purge timer that deletes
 * expired runs (records, steps, staging blobs, durable histories) and drift reports, never a
 * running run nor one a running retry reuses. Ages are arranged by backdating the stored times
 * the purge reads, so nothing waits for days.
 */
describe('growth limits through the local host', () => {
  let host: HostProcess;
  const redis = redisClient();
  const api = (path: string) => `${host.url}/api/${path}`;
  const postJson = (path: string, body: unknown) => fetch(api(path), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

  beforeAll(async () => {
    host = await startHostProcess({
      ARBOR_VECTOR_MAX_COLLECTIONS: '2',
      // Purge every second; runs and drift reports older than a day go, durable histories of finished orchestrations at once.
      ARBOR_RETENTION_SCHEDULE: '* * * * * *',
      ARBOR_RETENTION_RUNS_DAYS: '1',
      ARBOR_RETENTION_DURABLE_DAYS: '0',
      ARBOR_RETENTION_DRIFT_REPORTS_DAYS: '1',
      ARBOR_LOG_LEVEL: 'information',
    });
  });
  afterAll(async () => {
    await host.stop();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
  });

  it('caps collections: one past ARBOR_VECTOR_MAX_COLLECTIONS is a 409 naming the limit, by PUT or by a RAG document, nothing is created, and a drop frees the RAG data too', async () => {
    const put = (name: string) => fetch(api(`collections/${name}`), { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dimension: 4, metric: 'l2', shards: 1 }) });
    expect((await put('first')).status).toBe(201);
    expect((await postJson('rag/documents', { id: 'a', text: 'Alpha beta gamma.', collection: 'second' })).status).toBe(201);

    const refusedDocument = await postJson('rag/documents', { id: 'b', text: 'Delta epsilon.', collection: 'third' });
    expect(refusedDocument.status).toBe(409);
    const body = (await refusedDocument.json()) as { error: { code: string; message: string; details: Array<{ field: string; problem: string }> } };
    expect(body.error.code).toBe('collection_limit_reached');
    expect(body.error.details).toEqual([{ field: 'collection', problem: expect.stringContaining('ARBOR_VECTOR_MAX_COLLECTIONS') }]);
    const refusedPut = await put('fourth');
    expect(refusedPut.status).toBe(409);
    expect(((await refusedPut.json()) as { error: { code: string } }).error.code).toBe('collection_limit_reached');

    const names = ((await (await fetch(api('collections'))).json()) as { collections: Array<{ name: string }> }).collections.map((c) => c.name);
    expect(names.sort()).toEqual(['first', 'second']);
    const ask = await postJson('rag/ask', { question: 'delta?', collection: 'third' });
    expect(ask.status).toBe(400);
    expect(await redis.exists(`${host.redisPrefix}r:third:c`, `${host.redisPrefix}r:third:df`)).toBe(0);

    // Existing collections keep taking documents; dropping one makes room.
    expect((await postJson('rag/documents', { id: 'c', text: 'Zeta eta.', collection: 'second' })).status).toBe(201);
    expect((await fetch(api('collections/first'), { method: 'DELETE' })).status).toBe(200);
    expect((await put('fourth')).status).toBe(201);

    // Dropping a RAG collection drops what RAG kept for it too; the same document again is new there.
    const ragKeys = async () => (await redis.keys(`${host.redisPrefix}r:second:*`)).length;
    expect(await ragKeys()).toBeGreaterThan(0);
    expect((await fetch(api('collections/second'), { method: 'DELETE' })).status).toBe(200);
    expect(await ragKeys()).toBe(0);
    const { resources: records } = await cosmosClient().database(host.database).container('rag-documents').items.query('SELECT c.id FROM c', { partitionKey: 'second' }).fetchAll();
    expect(records).toEqual([]);
    expect((await fetch(api('collections/second'), { method: 'DELETE' })).status).toBe(404);
    const again = await postJson('rag/documents', { id: 'a', text: 'Alpha beta gamma.', collection: 'second' });
    expect(again.status).toBe(201);
    expect(((await again.json()) as { status: string }).status).toBe('created');
    const answer = (await (await postJson('rag/ask', { question: 'alpha beta', collection: 'second' })).json()) as { citations: Array<{ documentId: string }> };
    expect(answer.citations.map((c) => c.documentId)).toContain('a');
  });

  it('purges expired runs whole, keeps unexpired, running and reused ones, purges finished durable histories (failed ones later) and old drift reports', async () => {
    const pipelines = pipelinesApi(host);
    const database = cosmosClient().database(host.database);
    const runs = database.container('runs');
    const source = uniqueName('src');
    const raw = blobClient().getContainerClient('raw');
    await raw.createIfNotExists();
    await raw.getBlockBlobClient(`${source}/a.csv`).upload('region,amount\neu,1\nus,2\n', 26);

    const staging = uniqueName('staging');
    expect((await pipelines.register({ name: staging, steps: [{ id: 'extract', uses: 'blob.extract', with: { container: 'raw', prefix: `${source}/`, format: 'csv' } }] })).status).toBe(201);
    // Two steps: cancelled during the first, the run keeps its output; a retry then sleeps in the second.
    const twoPart = uniqueName('two-part');
    expect(
      (
        await pipelines.register({
          name: twoPart,
          steps: [
            { id: 'first', uses: 'sleep', with: { ms: 1_500 } },
            { id: 'long', uses: 'sleep', dependsOn: ['first'], with: { ms: 600_000 } },
          ],
        })
      ).status,
    ).toBe(201);
    const lone = uniqueName('lone');
    expect((await pipelines.register({ name: lone, steps: [{ id: 'long', uses: 'sleep', with: { ms: 600_000 } }] })).status).toBe(201);

    // expired: finished, will be backdated. fresh: finished now.
    const expired = await pipelines.start(staging);
    const fresh = await pipelines.start(staging);
    expect((await pipelines.finished(expired)).state).toBe('succeeded');
    expect((await pipelines.finished(fresh)).state).toBe('succeeded');
    const stagedBlobs = async (runId: string) => {
      const names: string[] = [];
      for await (const blob of blobClient().getContainerClient('pipelines').listBlobsFlat({ prefix: `runs/${runId}/` })) names.push(blob.name);
      return names;
    };
    expect((await stagedBlobs(expired)).length).toBeGreaterThan(0);
    expect((await stagedBlobs(fresh)).length).toBeGreaterThan(0);

    // original: cancelled mid-run, then retried; its retry runs for minutes.
    const original = await pipelines.start(twoPart);
    await eventually(async () => ((await pipelines.run(original)).steps.first?.state === 'running' ? true : undefined));
    expect((await pipelines.post(`runs/${original}/cancel`)).status).toBe(202);
    expect((await pipelines.finished(original)).state).toBe('cancelled');
    const retryResponse = await pipelines.post(`runs/${original}/retry`);
    expect(retryResponse.status).toBe(202);
    const retry = ((await retryResponse.json()) as { runId: string }).runId;
    await eventually(async () => ((await pipelines.run(retry)).steps.long?.state === 'running' ? true : undefined));
    // running: started long ago by its record, still running.
    const running = await pipelines.start(lone);
    await eventually(async () => ((await pipelines.run(running)).steps.long?.state === 'running' ? true : undefined));

    // A failed orchestration: a run started by hand through the durable API, which the orchestrator refuses.
    const durable = (id: string) => fetch(`${host.url}/runtime/webhooks/durabletask/instances/${id}`, { headers: { 'x-functions-key': host.systemKey } });
    const refused = uniqueName('refused');
    const started = await fetch(`${host.url}/runtime/webhooks/durabletask/orchestrators/pipeline-run/${refused}`, {
      method: 'POST',
      headers: { 'x-functions-key': host.systemKey, 'content-type': 'application/json' },
      body: JSON.stringify({ runId: refused }),
    });
    expect(started.status).toBe(202);
    await eventually(async () => (((await (await durable(refused)).json()) as { runtimeStatus: string }).runtimeStatus === 'Failed' ? true : undefined));

    const backdate = async (runId: string, fields: Record<string, string>) =>
      runs.item(runId, runId).patch(Object.entries(fields).map(([key, value]) => ({ op: 'set' as const, path: `/${key}`, value })));
    await backdate(running, { createdAt: daysAgo(3), startedAt: daysAgo(3) });
    await backdate(original, { createdAt: daysAgo(3), endedAt: daysAgo(2) });
    await backdate(retry, { createdAt: daysAgo(2), startedAt: daysAgo(2) });

    const drift = await ensureDriftContainer(database.containers);
    const view = uniqueName('view');
    const report = (id: string, ranAt: string) => ({ id, view, kind: 'report', ranAt });
    await drift.items.create(report('report-old', daysAgo(2)));
    await drift.items.create(report('report-new', new Date().toISOString()));
    await drift.items.create({ id: 'profile-old', view, kind: 'profile', name: 'old', createdAt: daysAgo(400) });

    await backdate(expired, { createdAt: daysAgo(3), endedAt: daysAgo(2) });

    const partition = async (runId: string) =>
      (await runs.items.query({ query: 'SELECT c.id FROM c WHERE c.runId = @runId', parameters: [{ name: '@runId', value: runId }] }, { partitionKey: runId }).fetchAll()).resources;
    await eventually(async () => ((await partition(expired)).length === 0 ? true : undefined), 20_000);
    await eventually(async () => ((await drift.item('report-old', view).read()).statusCode === 404 ? true : undefined), 20_000);

    // The expired run went whole: record, steps, staging blobs, durable history.
    expect((await pipelines.get(`runs/${expired}`)).status).toBe(404);
    expect(await stagedBlobs(expired)).toEqual([]);
    expect((await durable(expired)).status).toBe(404);

    // Unexpired: the record and its staging stay; its finished orchestration's history went (ARBOR_RETENTION_DURABLE_DAYS=0).
    expect((await pipelines.run(fresh)).state).toBe('succeeded');
    expect((await stagedBlobs(fresh)).length).toBeGreaterThan(0);
    await eventually(async () => ((await durable(fresh)).status === 404 ? true : undefined));

    // A failed orchestration's history is kept as long as runs are (a day here), for diagnosis.
    expect((await durable(refused)).status).toBe(200);

    // Running, however old its record: record and durable instance stay.
    expect((await pipelines.run(running)).state).toBe('running');
    expect(((await (await durable(running)).json()) as { runtimeStatus: string }).runtimeStatus).toBe('Running');
    expect((await pipelines.run(retry)).state).toBe('running');
    expect(((await (await durable(retry)).json()) as { runtimeStatus: string }).runtimeStatus).toBe('Running');
    // Expired, but its running retry reuses its outputs: kept, and the log says why.
    expect((await pipelines.run(original)).state).toBe('cancelled');
    expect(host.output.some((line) => line.includes(`kept expired run ${original}: a pending or running retry reuses its outputs`))).toBe(true);

    // Drift: the new report and the profile stay.
    expect((await drift.item('report-new', view).read()).statusCode).toBe(200);
    expect((await drift.item('profile-old', view).read()).statusCode).toBe(200);
  });
});

async function ensureDriftContainer(containers: { createIfNotExists(definition: { id: string; partitionKey: { paths: string[] } }): Promise<{ container: Container }> }): Promise<Container> {
  return (await containers.createIfNotExists({ id: 'drift', partitionKey: { paths: ['/view'] } })).container;
}
