import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient, cosmosClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { jsonApi, type JsonAnswer } from '../support/json-api.js';
import { pipelinesApi } from '../support/pipelines-api.js';

/** The properties Cosmos DB adds to every document it stores; none belongs in an answer. */
const systemFields = new Set(['_rid', '_self', '_etag', '_ts', '_attachments', '_lsn']);

/** Every path in a JSON value whose key is a Cosmos system field. */
function systemFieldPaths(value: unknown, path = '$'): string[] {
  if (Array.isArray(value)) return value.flatMap((item, index) => systemFieldPaths(item, `${path}[${index}]`));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => [
    ...(systemFields.has(key) ? [`${path}.${key}`] : []),
    ...systemFieldPaths(inner, `${path}.${key}`),
  ]);
}

const unique = (prefix: string) => uniqueName(prefix, '_');
const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('answers built from stored documents', () => {
  let host: HostProcess;
  const call = jsonApi(() => host);
  const pipeline = uniqueName('documents');
  const dataset = uniqueName('sales');
  const collection = uniqueName('docs');
  const entity = unique('shop');
  const view = unique('shop_stats');
  let runId = '';

  beforeAll(async () => {
    host = await startHostProcess({ 'AzureWebJobs.catalog-landed-file.Disabled': 'false' });
    const api = pipelinesApi(host);
    const registered = await api.register({ name: pipeline, steps: [{ id: 'a', uses: 'noop', with: { echo: { rows: 1 } } }] });
    expect(registered.status, await registered.clone().text()).toBe(201);
    runId = await api.start(pipeline);
    expect((await api.finished(runId)).state).toBe('succeeded');

    expect((await call('PUT', `datasets/${dataset}`, { format: 'csv' })).status).toBe(201);
    const landing = blobClient().getContainerClient('landing');
    await landing.getBlockBlobClient(`${dataset}/jan.csv`).upload('id\n1\n', 5);
    await eventually(async () => ((await call('GET', `datasets/${dataset}/files`)).body.files?.length ? true : undefined));

    expect((await call('PUT', `collections/${collection}`, { dimension: 4, metric: 'cosine', shards: 1 })).status).toBe(201);

    const applied = await call('POST', 'features/registry', {
      entities: [{ name: entity, joinKeys: [{ name: 'shop_id', type: 'int64' }] }],
      featureViews: [{ name: view, entity, ttlSeconds: 0, online: false, features: [{ name: 'sales', type: 'float64' }] }],
      featureServices: [{ name: unique('sales'), features: [`${view}:sales`] }],
    });
    expect(applied.status, applied.text).toBe(200);
    const now = Date.now();
    const rows = Array.from({ length: 40 }, (_, i) => ({ shop_id: i % 4, event_timestamp: iso(now - (i % 20) * day - 1000), sales: i }));
    expect((await call('POST', 'features/push', { view, to: 'offline', rows })).status).toBe(200);
    const window = { start: iso(now - 20 * day), end: iso(now) };
    const drift = await call('POST', 'drift/run', { view, reference: window, current: window });
    expect(drift.status, drift.text).toBe(200);

  });
  afterAll(async () => {
    await host.stop();
  });

  it('carries no Cosmos system field (_rid, _self, _etag, _ts, _attachments, _lsn) at any depth', async () => {
    const answers: Array<[string, JsonAnswer]> = [];
    for (const path of [
      'pipelines',
      `pipelines/${pipeline}`,
      `pipelines/${pipeline}?version=1`,
      `pipelines/${pipeline}/runs`,
      `runs/${runId}`,
      'features/registry',
      'datasets',
      `datasets/${dataset}`,
      `datasets/${dataset}/files`,
      'collections',
      `collections/${collection}`,
      `drift/${view}`,
      `features/ingest/${view}`,
    ]) {
      answers.push([`GET ${path}`, await call('GET', path)]);
    }
    // No GET reads RAG document records; posting the same document again answers from its record.
    const document = { id: 'again', text: '# Again\n\nUnchanged input is answered from its stored record.' };
    expect((await call('POST', 'rag/documents', document)).status).toBe(201);
    answers.push(['POST rag/documents (unchanged)', await call('POST', 'rag/documents', document)]);

    for (const [route, answer] of answers) expect(answer.status, `${route}: ${answer.text}`).toBeLessThan(300);
    const leaks = answers.flatMap(([route, answer]) => systemFieldPaths(answer.body).map((path) => `${route} ${path}`));
    expect(leaks).toEqual([]);
  });

  it('answers a stored document of the wrong shape with a 500 naming the container and id, and the rest still serves', async () => {
    const datasets = cosmosClient().database(host.database).container('datasets');
    const broken = uniqueName('broken');
    await datasets.items.upsert({ id: broken, format: 'xlsx', createdAt: 7 });

    const read = await call('GET', `datasets/${broken}`);
    expect(read.status).toBe(500);
    expect(read.body.error).toMatchObject({ code: 'corrupt_document' });
    expect(read.body.error.message).toContain(broken);
    expect(read.body.error.message).toContain(`datasets/${broken}`);
    expect(read.body.error.details.map((p: { field: string }) => p.field).sort()).toEqual(['createdAt', 'format', 'updatedAt'].map((field) => `datasets/${broken}: ${field}`));

    expect((await call('GET', `datasets/${dataset}`)).status).toBe(200);
    await datasets.item(broken, broken).delete();
  });
});
