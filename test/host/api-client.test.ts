import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { arborClient, type Answer, type ArborClient, type OperationId } from '../../client/arbor-client.js';
import { emitApiTypes } from '../../client/generate/emit-api-types.js';
import type { OpenApiDocument } from '../../shared/platform/api/openapi-document.js';
import { deleteRedisPrefix, redisClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { answerProblems } from '../support/openapi-answers.js';
import { documentedStatuses } from '../support/openapi-statuses.js';
import { logisticRegressionOnnx } from '../../shared/serving/onnx-writer.js';
import { encodeShardQuery } from '../../shared/vectors/shard-search-request.js';

const functionKey = 'api-client-test-key-0123456789abcdef';

describe('the typed client (client/) against a host', () => {
  let host: HostProcess;
  let document: OpenApiDocument;
  let client: ArborClient;

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_FUNCTION_KEY: functionKey });
    document = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as OpenApiDocument;
    client = arborClient({ baseUrl: host.url, functionKey });
  });
  afterAll(async () => {
    await host?.stop();
    const redis = redisClient();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
  });

  /** Operations that answered good input with a success, for the last test. */
  const succeeded = new Set<string>();

  /** The answer has the status expected, and the document lists it for the operation. */
  function expectStatus<Id extends OperationId>(id: Id, answer: Answer<Id>, status: number): void {
    expect(answer.status, `${id}: ${JSON.stringify(answer.body)}`).toBe(status);
    expect(documentedStatuses(document, id), id).toContain(status);
    // The body is what the document says that status carries: the error body, or the answer's schema.
    expect(answerProblems(document, id, answer.status, answer.headers.get('content-type'), answer.body)).toEqual([]);
    if (status < 300) succeeded.add(id);
  }

  it('has types that regenerate from the served document without a difference (npm run client:types)', async () => {
    const committed = await readFile(join(process.cwd(), 'client', 'api-types.ts'), 'utf8');
    expect(emitApiTypes(document)).toBe(committed);
  });

  it('registers a feature view, pushes a row and reads it online', async () => {
    const view = uniqueName('client_stats', '_');
    const applied = await client.call('apply-feature-registry', {
      body: {
        entities: [{ name: `${view}_driver`, joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
        featureViews: [{ name: view, entity: `${view}_driver`, ttlSeconds: 86_400, online: true, features: [{ name: 'trips', type: 'int64' }] }],
      },
    });
    expectStatus('apply-feature-registry', applied, 200);
    const eventTime = new Date(Date.now() - 60_000).toISOString();
    const pushed = await client.call('push-features', { body: { view, to: 'online', rows: [{ driver_id: 1, event_timestamp: eventTime, trips: 5 }] } });
    expectStatus('push-features', pushed, 200);
    const online = await client.call('get-online-features', { body: { features: [`${view}:trips`], entities: { driver_id: [1, 2] } } });
    expectStatus('get-online-features', online, 200);
    if (online.status !== 200) return;
    // The status narrows the body to the documented answer: results are typed.
    expect(online.body.results.map((result) => [result.values[`${view}:trips`], result.status[`${view}:trips`]])).toEqual([
      [5, 'present'],
      [null, 'missing'],
    ]);
  });

  it('starts a pipeline run and reads it until it ends, and answers an unknown run with the error body', async () => {
    const name = uniqueName('client-pipe');
    const registered = await client.call('register-pipeline', {
      body: { name, steps: [{ id: 'a', uses: 'noop', with: { echo: { rows: 3 } } }, { id: 'b', uses: 'noop', dependsOn: ['a'] }] },
    });
    expectStatus('register-pipeline', registered, 201);
    const started = await client.call('start-run', { params: { name }, body: { params: {} } });
    expectStatus('start-run', started, 202);
    if (started.status !== 202) return;
    expect(started.headers.get('location')).toBe(started.body.statusUrl);
    const runId = started.body.runId;
    const finished = await eventually(async () => {
      const run = await client.call('get-run', { params: { id: runId } });
      expectStatus('get-run', run, 200);
      return run.status === 200 && run.body.state === 'succeeded' ? run.body : undefined;
    }, 30_000, 200);
    expect(Object.keys(finished.steps as object).sort()).toEqual(['a', 'b']);
    const runs = await client.call('list-runs', { params: { name } });
    expectStatus('list-runs', runs, 200);
    // A run that ended cannot be cancelled or retried: 409, which the document lists.
    expectStatus('cancel-run', await client.call('cancel-run', { params: { id: runId } }), 409);
    expectStatus('retry-run', await client.call('retry-run', { params: { id: runId } }), 409);
    expectStatus('get-pipelines', await client.call('get-pipelines', { params: { name }, query: { version: '1' } }), 200);
    // The same run over the Connect protocol's JSON, on the rpc route.
    const overRpc = await client.call('rpc', { params: { service: 'arbor.pipelines.v1.PipelineService', method: 'GetRun' }, body: { runId } });
    expectStatus('rpc', overRpc, 200);
    expect(overRpc.body).toMatchObject({ run: { runId } });
    const unknown = await client.call('get-run', { params: { id: 'no-such-run' } });
    expectStatus('get-run', unknown, 404);
    if (unknown.status === 404) expect(unknown.body.error.code).toBe('not_found');
    // The body check above can fail: an error body without its message and details is not the documented one.
    expect(answerProblems(document, 'get-run', 404, 'application/json', { error: { code: 'not_found' } })).not.toEqual([]);
  });

  it('cancels a running run and retries the cancelled one', async () => {
    const name = uniqueName('client-slow');
    const registered = await client.call('register-pipeline', { body: { name, steps: [{ id: 'wait', uses: 'sleep', with: { ms: 3_000 } }] } });
    expectStatus('register-pipeline', registered, 201);
    const started = await client.call('start-run', { params: { name } });
    expectStatus('start-run', started, 202);
    const runId = (started.body as { runId: string }).runId;
    expectStatus('cancel-run', await client.call('cancel-run', { params: { id: runId } }), 202);
    await eventually(async () => {
      const run = await client.call('get-run', { params: { id: runId } });
      return (run.body as { state?: string }).state === 'cancelled' ? run : undefined;
    }, 30_000, 200);
    const retried = await client.call('retry-run', { params: { id: runId } });
    expectStatus('retry-run', retried, 202);
    if (retried.status === 202) expect(retried.body.retryOf).toBe(runId);
  });

  it('answers good input on the routes that need no model or data with the documented status', async () => {
    const dataset = uniqueName('clientds');
    expectStatus('put-dataset', await client.call('put-dataset', { params: { name: dataset }, body: { format: 'csv' } }), 201);
    expectStatus('put-dataset', await client.call('put-dataset', { params: { name: dataset }, body: { format: 'csv', owner: 'me' } }), 200);
    expectStatus('get-datasets', await client.call('get-datasets', { params: { name: dataset } }), 200);
    expectStatus('list-datasets', await client.call('list-datasets'), 200);
    expectStatus('list-landed-files', await client.call('list-landed-files', { params: { name: dataset } }), 200);
    expectStatus('get-feature-registry', await client.call('get-feature-registry'), 200);
    expectStatus('list-pipelines', await client.call('list-pipelines'), 200);
    expectStatus('get-pipelines', await client.call('get-pipelines', { params: { name: 'no-such-pipeline' } }), 404);

    const collection = uniqueName('clientcol');
    expectStatus('put-collection', await client.call('put-collection', { params: { name: collection }, body: { dimension: 2, metric: 'l2', shards: 2 } }), 201);
    expectStatus('put-collection', await client.call('put-collection', { params: { name: collection }, body: { dimension: 3, metric: 'l2', shards: 2 } }), 409);
    const items = [{ id: 'a', vector: [0, 0] }, { id: 'b', vector: [1, 1] }];
    expectStatus('upsert-items', await client.call('upsert-items', { params: { name: collection }, body: { items } }), 200);
    const query = await client.call('query-collection', { params: { name: collection }, body: { vector: [0.9, 0.9], k: 1 } });
    expectStatus('query-collection', query, 200);
    expect((query.body as { results: Array<{ id: string }> }).results.map((result) => result.id)).toEqual(['b']);
    // One shard's search, protobuf in and out: the client sends bytes as the route's media type.
    const shard = await client.call('search-shard', { params: { name: collection, shard: '0' }, body: encodeShardQuery({ vector: Float32Array.from([0.9, 0.9]), k: 1, ef: 10 }, '') });
    expectStatus('search-shard', shard, 200);
    expect(shard.body).toBeInstanceOf(Uint8Array);
    expectStatus('get-collections', await client.call('get-collections', { params: { name: collection } }), 200);
    expectStatus('list-collections', await client.call('list-collections'), 200);
    expectStatus('snapshot-collection', await client.call('snapshot-collection', { params: { name: collection } }), 200);
    expectStatus('delete-item', await client.call('delete-item', { params: { name: collection, id: 'a' } }), 200);
    expectStatus('delete-item', await client.call('delete-item', { params: { name: collection, id: 'a' } }), 404);
    expectStatus('delete-collection', await client.call('delete-collection', { params: { name: collection } }), 200);

    const model = uniqueName('clientmodel');
    expectStatus('put-model', await client.call('put-model', { params: { name: model }, body: { task: 'regression' } }), 201);
    expectStatus('get-model', await client.call('get-model', { params: { name: model } }), 200);
    expectStatus('list-model-versions', await client.call('list-model-versions', { params: { name: model } }), 200);
    expectStatus('get-model-versions', await client.call('get-model-versions', { params: { name: model, version: '1' } }), 404);
    expectStatus('list-endpoints', await client.call('list-endpoints'), 200);
    expectStatus('get-endpoints', await client.call('get-endpoints', { params: { name: model } }), 404);
    expectStatus('get-drift-reports', await client.call('get-drift-reports', { params: { view: 'no_such_view' } }), 404);

    const health = await client.call('health');
    expectStatus('health', health, 200);
    const metrics = await client.call('metrics');
    expectStatus('metrics', metrics, 200);
    if (metrics.status === 200) expect(metrics.body).toContain('arbor_function');
  });

  it('ingests a document and answers a question about it', async () => {
    const collection = uniqueName('clientrag');
    const posted = await client.call('post-rag-document', {
      body: { id: 'store', collection, text: '# Offline store\n\nOld partitions move to the archive tier after 180 days.' },
    });
    expectStatus('post-rag-document', posted, 201);
    const asked = await client.call('rag-ask', { body: { question: 'When do old partitions move to the archive tier?', collection } });
    expectStatus('rag-ask', asked, 200);
    if (asked.status === 200 && typeof asked.body !== 'string') expect(asked.body.answer).toContain('180 days');
    expectStatus('delete-rag-document', await client.call('delete-rag-document', { params: { id: 'store' }, query: { collection } }), 200);
    expectStatus('delete-rag-document', await client.call('delete-rag-document', { params: { id: 'store' }, query: { collection } }), 404);
  });

  it('builds a training set, materializes, checks drift and captures a profile from offline rows', async () => {
    const view = uniqueName('client_drift', '_');
    const applied = await client.call('apply-feature-registry', {
      body: {
        entities: [{ name: `${view}_e`, joinKeys: [{ name: 'id', type: 'int64' }] }],
        featureViews: [{ name: view, entity: `${view}_e`, ttlSeconds: 0, online: true, features: [{ name: 'x', type: 'float64' }] }],
      },
    });
    expectStatus('apply-feature-registry', applied, 200);
    const hour = 3_600_000;
    const now = Date.now();
    const rows = Array.from({ length: 40 }, (_, i) => ({ id: i, event_timestamp: new Date(now - (i < 20 ? 48 : 2) * hour - i * 1000).toISOString(), x: i }));
    expectStatus('push-features', await client.call('push-features', { body: { view, to: 'offline', rows } }), 200);
    const historical = await client.call('get-historical-features', {
      body: { features: [`${view}:x`], entityRows: [{ id: 25, event_timestamp: new Date(now).toISOString() }] },
    });
    expectStatus('get-historical-features', historical, 200);
    expectStatus('materialize-features', await client.call('materialize-features', { body: { view } }), 200);
    // Asked for as a job: 202 with the job, which the job routes follow to its end.
    const job = await client.call('materialize-features', { body: { view }, query: { async: 'true' } });
    expectStatus('materialize-features', job, 202);
    const jobId = (job.body as { jobId: string }).jobId;
    const ended = await eventually(async () => {
      const answer = await client.call('get-job', { params: { id: jobId } });
      return ['succeeded', 'failed', 'cancelled'].includes((answer.body as { state: string }).state) ? answer : undefined;
    }, 60_000, 200);
    expectStatus('get-job', ended, 200);
    expect((ended.body as { state: string }).state).toBe('succeeded');
    expectStatus('list-jobs', await client.call('list-jobs', { query: { limit: '5' } }), 200);
    expectStatus('cancel-job', await client.call('cancel-job', { params: { id: jobId } }), 409);
    // A job cancelled as soon as it is queued (a durable start, a plan and a step take far longer
    // than one call) ends cancelled.
    const second = await client.call('materialize-features', { body: { view }, query: { async: 'true' } });
    const secondId = (second.body as { jobId: string }).jobId;
    expectStatus('cancel-job', await client.call('cancel-job', { params: { id: secondId } }), 202);
    await eventually(async () => ((await client.call('get-job', { params: { id: secondId } })).body as { state: string }).state === 'cancelled' || undefined, 60_000, 200);
    const window = { start: new Date(now - 72 * hour).toISOString(), end: new Date(now - 24 * hour).toISOString() };
    expectStatus('run-drift', await client.call('run-drift', { body: { view, reference: window, current: { lastHours: 12 } } }), 200);
    expectStatus('get-drift-reports', await client.call('get-drift-reports', { params: { view }, query: { limit: 5 } }), 200);
    expectStatus('put-drift-profile', await client.call('put-drift-profile', { body: { name: `${view}-ref`, view, window } }), 201);
    const ingestStatus = await client.call('get-ingest-status', { params: { view }, query: { limit: 5 } });
    expectStatus('get-ingest-status', ingestStatus, 200);
    if (ingestStatus.status === 200) expect(ingestStatus.body.files).toEqual([]);
  });

  it('registers a model version from ONNX bytes, serves it behind an endpoint and rolls out a second one', async () => {
    const name = uniqueName('clientsrv');
    expectStatus('put-model', await client.call('put-model', { params: { name }, body: { task: 'binary_classification' } }), 201);
    const metadata = JSON.stringify({
      signature: { inputs: [{ name: 'features', shape: [-1, 2], columns: [{ input: 'a' }, { input: 'b' }] }], outputs: [{ name: 'probability', shape: [-1, 1] }] },
    });
    for (const version of [1, 2]) {
      const onnx = logisticRegressionOnnx({ weights: [0.5, -0.25 * version], bias: 0, inputName: 'features', outputName: 'probability' });
      const posted = await client.call('post-model-version', { params: { name }, headers: { 'x-arbor-version-metadata': metadata }, body: onnx });
      expectStatus('post-model-version', posted, 201);
    }
    expectStatus('get-model-versions', await client.call('get-model-versions', { params: { name, version: '2' } }), 200);
    expectStatus('patch-model-version', await client.call('patch-model-version', { params: { name, version: '1' }, body: { stage: 'production' } }), 200);
    expectStatus('put-endpoint', await client.call('put-endpoint', { params: { name }, body: { variants: [{ name: 'stable', model: name, version: 1, weight: 100 }] } }), 201);
    expectStatus('get-endpoints', await client.call('get-endpoints', { params: { name } }), 200);
    const predicted = await client.call('predict-endpoint', { params: { name }, body: { inputs: { a: [2], b: [0] } } });
    expectStatus('predict-endpoint', predicted, 200);
    expect((predicted.body as { predictions: number[] }).predictions[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 5);
    expectStatus('get-endpoint-metrics', await client.call('get-endpoint-metrics', { params: { name }, query: { seconds: 60 } }), 200);

    const started = await client.call('post-rollout', { params: { name }, body: { candidate: { model: name, version: 2 } } });
    expectStatus('post-rollout', started, 202);
    const id = (started.body as { id: string }).id;
    expectStatus('post-rollout', await client.call('post-rollout', { params: { name }, body: { candidate: { model: name, version: 2 } } }), 409);
    expectStatus('get-rollout', await client.call('get-rollout', { params: { name, id } }), 200);
    expectStatus('list-rollouts', await client.call('list-rollouts', { params: { name } }), 200);
    expectStatus('control-rollout', await client.call('control-rollout', { params: { name, id, command: 'abort' } }), 202);
    const aborted = await eventually(async () => {
      const rollout = await client.call('get-rollout', { params: { name, id } });
      return (rollout.body as { state?: string }).state === 'aborted' ? rollout : undefined;
    });
    expectStatus('get-rollout', aborted, 200);
    expectStatus('control-rollout', await client.call('control-rollout', { params: { name, id, command: 'resume' } }), 409);
  });

  it("reads the web console's page (anonymous: it holds no data) and answers an unknown file with the error body", async () => {
    const page = await client.call('console', { params: { path: 'index.html' } });
    expectStatus('console', page, 200);
    if (page.status === 200) expect(page.body).toContain('<title>Arbor console</title>');
    expectStatus('console', await client.call('console', { params: { path: 'no-such-file.js' } }), 404);
  });

  // Runs last (tests in a file run in order): good input reached every operation but the document itself (test/host/openapi.test.ts).
  it('has called every documented operation with good input', () => {
    const all = Object.values(document.paths).flatMap((methods) => Object.values(methods).map((operation) => operation.operationId as string));
    expect(all.filter((id) => !succeeded.has(id)).sort()).toEqual(['openapi']);
  });
});
