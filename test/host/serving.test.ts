import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logisticRegressionOnnx } from '../../shared/serving/onnx-writer.js';
import { blobClient } from '../support/clients.js';
import { jsonApi, type JsonAnswer } from '../support/json-api.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';

/** Feature names are shared by every host on the run's emulators, so each is unique. */
const unique = (prefix: string) => uniqueName(prefix, '_');
const day = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();
const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const fields = (answer: JsonAnswer) => (answer.body.error?.details as Array<{ field: string }> | undefined)?.map((d) => d.field) ?? [];
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('serving through the local host: registry, endpoints, predict, routing, shadow, shared windows', () => {
  let host: HostProcess;
  /** A second instance of the same app (same Cosmos database and Redis prefix) that allows fault injection. */
  let faulty: HostProcess;
  const call = jsonApi(() => host);
  const callFaulty = jsonApi(() => faulty);
  const driver = unique('driver');
  const stats = unique('driver_stats');
  const model = uniqueName('churn');
  const endpoint = uniqueName('churn-api');

  // Version 1: trips, rating (default 0.5 when missing or stale), and the raw input amount.
  const v1 = { weights: [0.3, -0.8, 0.05], bias: -0.2 };
  const v2 = { weights: [-0.1, 0.6, 0.01], bias: 0.4 };
  const signature = {
    inputs: [
      {
        name: 'features',
        type: 'float32',
        shape: [-1, 3],
        columns: [{ feature: `${stats}:trips` }, { feature: `${stats}:rating`, default: 0.5 }, { input: 'amount', type: 'float64' }],
      },
    ],
    outputs: [{ name: 'probability', type: 'float32', shape: [-1, 1] }],
  };
  const onnx1 = logisticRegressionOnnx({ ...v1, inputName: 'features' });
  const onnx2 = logisticRegressionOnnx({ ...v2, inputName: 'features' });
  const drivers: Record<number, { trips: number; rating: number }> = { 1: { trips: 10, rating: 4.5 }, 2: { trips: 3, rating: 3.9 }, 3: { trips: 0, rating: 1.25 } };
  const expected = (weights: readonly number[], bias: number, id: number, amount: number) => {
    const { trips, rating } = drivers[id] ?? { trips: Number.NaN, rating: 0.5 };
    return sigmoid((weights[0] as number) * trips + (weights[1] as number) * rating + (weights[2] as number) * amount + bias);
  };
  const versionCount = async () => (await call('GET', `models/${model}/versions`)).body.versions.length as number;

  beforeAll(async () => {
    host = await startHostProcess();
    const now = Date.now();
    const registry = await call('POST', 'features/registry', {
      entities: [{ name: driver, joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      featureViews: [
        {
          name: stats,
          entity: driver,
          ttlSeconds: 3 * 86_400,
          online: true,
          features: [
            { name: 'trips', type: 'int64' },
            { name: 'rating', type: 'float64' },
            { name: 'city', type: 'string' },
          ],
        },
      ],
    });
    expect(registry.status, JSON.stringify(registry.body)).toBe(200);
    const pushed = await call('POST', 'features/push', {
      view: stats,
      rows: [
        ...Object.entries(drivers).map(([id, values]) => ({ driver_id: Number(id), event_timestamp: iso(now - 60_000), ...values })),
        // Driver 4 has trips but no rating; driver 99's row is older than the view's TTL.
        { driver_id: 4, event_timestamp: iso(now - 60_000), trips: 7 },
        { driver_id: 99, event_timestamp: iso(now - 4 * day), trips: 5, rating: 2 },
      ],
    });
    expect(pushed.status, JSON.stringify(pushed.body)).toBe(200);
    faulty = await startHostProcess({ COSMOS_DATABASE: host.database, REDIS_KEY_PREFIX: host.redisPrefix, ARBOR_SERVING_ALLOW_FAULTS: 'true' });
  });
  afterAll(async () => {
    await Promise.all([host?.stop(), faulty?.stop()]);
  });

  it('creates and updates a model, and refuses bad names and fields', async () => {
    const created = await call('PUT', `models/${model}`, { description: 'churn in 30 days', task: 'binary_classification' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ model, task: 'binary_classification', latestVersion: 0 });
    const updated = await call('PUT', `models/${model}`, { description: 'churn within 30 days' });
    expect(updated.status).toBe(200);
    expect((await call('GET', `models/${model}`)).body.description).toBe('churn within 30 days');

    const badName = await call('PUT', 'models/Bad.Name', {});
    expect(badName.status).toBe(400);
    expect(fields(badName)).toEqual(['name']);
    const badTask = await call('PUT', `models/${model}`, { task: 'clustering', extra: 1 });
    expect(badTask.status).toBe(400);
    expect(fields(badTask)).toEqual(expect.arrayContaining(['task', '(body)']));
    expect((await call('GET', `models/${uniqueName('nobody')}`)).status).toBe(404);
  });

  it('registers versions inline (base64), as the raw file with a metadata header, and from a blob a pipeline wrote', async () => {
    const first = await call('POST', `models/${model}/versions`, {
      artifact: { base64: base64(onnx1) },
      signature,
      metrics: { auc: 0.81, log_loss: 0.42, calibration_observed: [0.1, 0.35, 0.8] },
      lineage: { pipeline: 'churn-training', runId: 'run-1' },
      stage: 'staging',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ model, version: 1, format: 'onnx', stage: 'staging', metrics: { auc: 0.81 }, lineage: { runId: 'run-1' } });
    expect(first.body.artifact).toMatchObject({ container: 'models', sha256: sha256(onnx1), bytes: onnx1.length });
    expect(first.body.onnx.inputs).toEqual([{ name: 'features', type: 'float32', shape: ['N', 3] }]);

    const raw = await fetch(`${host.url}/api/models/${model}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'x-arbor-version-metadata': JSON.stringify({ signature }) },
      body: onnx2,
    });
    const second = (await raw.json()) as Record<string, any>;
    expect(raw.status, JSON.stringify(second)).toBe(201);
    expect(second).toMatchObject({ version: 2, stage: 'none', artifact: { sha256: sha256(onnx2) } });

    const blobName = `${uniqueName('churn')}/model.onnx`;
    await blobClient().getContainerClient('training-sets').createIfNotExists();
    await blobClient().getContainerClient('training-sets').getBlockBlobClient(blobName).uploadData(onnx1);
    const third = await call('POST', `models/${model}/versions`, { artifact: { blob: { container: 'training-sets', name: blobName } }, signature });
    expect(third.status, JSON.stringify(third.body)).toBe(201);
    // The same bytes as version 1: stored once, under their hash.
    expect(third.body.artifact).toEqual(first.body.artifact);
    expect(third.body.version).toBe(3);

    const listed = await call('GET', `models/${model}/versions`);
    expect(listed.body.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    expect((await call('GET', `models/${model}/versions/2`)).body.artifact.sha256).toBe(sha256(onnx2));
    expect((await call('GET', `models/${model}`)).body.latestVersion).toBe(3);
    expect((await call('GET', `models/${model}/versions/9`)).status).toBe(404);

    // The stage is the one thing about a version that moves.
    const promoted = await call('PATCH', `models/${model}/versions/1`, { stage: 'production' });
    expect(promoted.status, JSON.stringify(promoted.body)).toBe(200);
    expect(promoted.body).toMatchObject({ version: 1, stage: 'production', artifact: { sha256: sha256(onnx1) } });
    expect((await call('GET', `models/${model}/versions/1`)).body.stage).toBe('production');
    expect(fields(await call('PATCH', `models/${model}/versions/1`, { stage: 'live' }))).toEqual(['stage']);
    expect(fields(await call('PATCH', `models/${model}/versions/1`, { stage: 'archived', signature }))).toEqual(['(body)']);
    expect((await call('PATCH', `models/${model}/versions/8`, { stage: 'archived' })).status).toBe(404);
    expect((await call('GET', `models/${model}/versions/1`)).body.stage).toBe('production');
    expect(fields(await call('GET', `models/${model}/versions/x1`))).toEqual(['version']);
  });

  it('refuses a version whose file or signature does not match, naming what, and stores nothing', async () => {
    const before = await versionCount();
    const register = (body: Record<string, unknown>) => call('POST', `models/${model}/versions`, { artifact: { base64: base64(onnx1) }, signature, ...body });
    const withInput = (input: Record<string, unknown>) => ({ signature: { ...signature, inputs: [{ ...signature.inputs[0], ...input }] } });

    const wrongName = await register(withInput({ name: 'x' }));
    expect(wrongName.status).toBe(400);
    expect(fields(wrongName)).toEqual(['signature.inputs[0].name', 'signature.inputs']);

    const wrongWidth = await register(withInput({ shape: [-1, 4], columns: [...signature.inputs[0]!.columns, { input: 'extra' }] }));
    expect(fields(wrongWidth)).toEqual(['signature.inputs[0].shape[1]']);
    expect(wrongWidth.body.error.details[0].problem).toMatch(/is 4 but the ONNX features is \[N, 3\]/);

    const wrongType = await register(withInput({ type: 'float64' }));
    expect(fields(wrongType)).toEqual(['signature.inputs[0].type']);

    const wrongOutput = await register({ signature: { ...signature, outputs: [{ name: 'score', shape: [-1] }] } });
    expect(fields(wrongOutput)).toEqual(['signature.outputs[0].name']);

    const unknownFeature = await register(withInput({ columns: [{ feature: `${stats}:nothing` }, { feature: `${unique('noview')}:x` }, { feature: `${stats}:city` }] }));
    expect(fields(unknownFeature)).toEqual(['signature.inputs[0].columns[0].feature', 'signature.inputs[0].columns[1].feature', 'signature.inputs[0].columns[2].feature']);
    expect(unknownFeature.body.error.details[2].problem).toMatch(/string feature/);

    const notOnnx = await call('POST', `models/${model}/versions`, { artifact: { base64: base64(new TextEncoder().encode('not a model')) }, signature });
    expect(notOnnx.status).toBe(400);
    expect(fields(notOnnx)).toEqual(['artifact']);

    const badShape = await register({ signature: { inputs: [{ name: 'features', shape: [3], columns: [] }], outputs: [{ name: 'probability', shape: [-1, 2] }] } });
    expect(fields(badShape)).toEqual(expect.arrayContaining(['signature.inputs[0].shape', 'signature.inputs[0].columns', 'signature.outputs[0].shape']));

    const notDataContainer = await call('POST', `models/${model}/versions`, { artifact: { blob: { container: 'models', name: 'x/model.onnx' } }, signature });
    expect(fields(notDataContainer)).toEqual(['artifact.blob.container']);
    const missingBlob = await call('POST', `models/${model}/versions`, { artifact: { blob: { container: 'training-sets', name: `${uniqueName('none')}.onnx` } }, signature });
    expect(fields(missingBlob)).toEqual(['artifact.blob']);

    const archivedName = `${uniqueName('archived')}/model.onnx`;
    const archived = blobClient().getContainerClient('training-sets').getBlockBlobClient(archivedName);
    await archived.uploadData(onnx1);
    await archived.setAccessTier('Archive');
    const fromArchive = await call('POST', `models/${model}/versions`, { artifact: { blob: { container: 'training-sets', name: archivedName } }, signature });
    expect(fromArchive.status, JSON.stringify(fromArchive.body)).toBe(400);
    expect(fromArchive.body.error.details).toEqual([{ field: 'artifact.blob', problem: 'is in the archive tier' }]);

    const noHeader = await fetch(`${host.url}/api/models/${model}/versions`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: onnx1 });
    expect(noHeader.status).toBe(400);
    expect(((await noHeader.json()) as any).error.details[0].field).toBe('x-arbor-version-metadata');
    const badHeader = await fetch(`${host.url}/api/models/${model}/versions`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', 'x-arbor-version-metadata': '{nope' }, body: onnx1 });
    expect(badHeader.status).toBe(400);
    const wrongType415 = await fetch(`${host.url}/api/models/${model}/versions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(wrongType415.status).toBe(415);

    const unknownModel = await call('POST', `models/${uniqueName('nobody')}/versions`, { artifact: { base64: base64(onnx1) }, signature });
    expect(unknownModel.status).toBe(404);
    expect(await versionCount()).toBe(before);
  });

  it('refuses an endpoint naming an unknown model or version, weights not summing to 100, or faults where they are off; nothing changed', async () => {
    const good = await call('PUT', `endpoints/${endpoint}`, { variants: [{ name: 'stable', model, version: 1, weight: 100 }] });
    expect(good.status, JSON.stringify(good.body)).toBe(201);
    const tries: Array<[unknown, string[]]> = [
      [{ variants: [{ name: 'stable', model: uniqueName('nobody'), version: 1, weight: 100 }] }, ['variants[0].model']],
      [{ variants: [{ name: 'stable', model, version: 1, weight: 60 }, { name: 'c', model, version: 42, weight: 40 }] }, ['variants[1].version']],
      [{ variants: [{ name: 'stable', model, version: 1, weight: 90 }] }, ['variants']],
      [{ variants: [{ name: 'stable', model, version: 1, weight: 50 }, { name: 'stable', model, version: 2, weight: 50 }] }, ['variants[1].name']],
      [{ variants: [{ name: 'stable', model, version: 1, weight: 100 }], shadow: { model, version: 77, percent: 10 } }, ['shadow.version']],
      [{ variants: [{ name: 'stable', model, version: 1, weight: 100, faults: { errorRate: 1 } }] }, ['variants[0].faults']],
      [{ variants: [{ name: 'stable', model, version: 1.5, weight: 100 }] }, ['variants[0].version']],
    ];
    for (const [body, expectedFields] of tries) {
      const refused = await call('PUT', `endpoints/${endpoint}`, body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(fields(refused), JSON.stringify(refused.body)).toEqual(expectedFields);
    }
    const stored = await call('GET', `endpoints/${endpoint}`);
    expect(stored.body).toMatchObject({ revision: 1, variants: [{ name: 'stable', model, version: 1, weight: 100 }] });
    expect((await call('GET', `endpoints/${uniqueName('none')}`)).status).toBe(404);
  });

  it('predicts as the logistic function of the weights, with online features and raw inputs, one batch', async () => {
    const answer = await call('POST', `endpoints/${endpoint}/predict`, { entities: { driver_id: [1, 2, 3, 4] }, inputs: { amount: [20, 5.5, 0, 1] } });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ variant: 'stable', model, version: 1 });
    const amounts = [20, 5.5, 0, 1];
    const hand = [1, 2, 3].map((id, i) => expected(v1.weights, v1.bias, id, amounts[i] as number));
    // Driver 4 has no rating: the signature's default 0.5 is used.
    hand.push(sigmoid(v1.weights[0]! * 7 + v1.weights[1]! * 0.5 + v1.weights[2]! * 1 + v1.bias));
    (answer.body.predictions as number[]).forEach((p, i) => expect(p).toBeCloseTo(hand[i] as number, 5));
    expect(answer.body.featureStatus[0]).toEqual({ [`${stats}:trips`]: 'present', [`${stats}:rating`]: 'present' });
    expect(answer.body.featureStatus[3]).toEqual({ [`${stats}:trips`]: 'present', [`${stats}:rating`]: 'missing' });
  });

  it('answers a cold load with its time, then serves the cached session', async () => {
    const name = uniqueName('cold');
    await call('PUT', `endpoints/${name}`, { variants: [{ name: 'only', model, version: 2, weight: 100 }] });
    const predictOnce = () => fetch(`${host.url}/api/endpoints/${name}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ entities: { driver_id: [1] }, inputs: { amount: [1] } }) });
    const first = await predictOnce();
    expect(first.status).toBe(200);
    expect(Number(first.headers.get('x-arbor-model-load-ms'))).toBeGreaterThan(0);
    const second = await predictOnce();
    expect(second.headers.get('x-arbor-model-load-ms')).toBeNull();
    expect(((await second.json()) as any).predictions[0]).toBeCloseTo(expected(v2.weights, v2.bias, 1, 1), 5);
  });

  it('refuses a missing or stale feature without a default (422 naming entity and feature), and bad input (400 naming the field)', async () => {
    const missing = await call('POST', `endpoints/${endpoint}/predict`, { entities: { driver_id: [1, 50, 99] }, inputs: { amount: [1, 2, 3] } });
    expect(missing.status).toBe(422);
    expect(missing.body.error.code).toBe('feature_unavailable');
    expect(missing.body.error.details).toEqual([
      { field: 'entities.driver_id[1]', problem: `feature "${stats}:trips" is missing for driver_id=50 and the signature gives no default` },
      { field: 'entities.driver_id[2]', problem: `feature "${stats}:trips" is stale for driver_id=99 and the signature gives no default` },
    ]);

    const bad: Array<[unknown, string[]]> = [
      [{ entities: { driver_id: Array.from({ length: 1001 }, (_, i) => i) }, inputs: { amount: [1] } }, ['entities.driver_id']],
      [{ entities: { driver_id: [1] }, inputs: { amount: ['x'] } }, ['inputs.amount[0]']],
      [{ entities: { driver_id: [1] }, inputs: { amount: [1], colour: [2] } }, ['inputs.colour']],
      [{ entities: { driver_id: [1, 2] }, inputs: { amount: [1] } }, ['inputs.amount']],
      [{ entities: { driver_id: [1] } }, ['inputs.amount']],
      [{ entities: { driver_id: [1] }, inputs: { amount: [null] } }, ['inputs.amount[0]']],
      [{ entities: { rider_id: [1] }, inputs: { amount: [1] } }, ['entities.rider_id', 'entities.driver_id']],
      [{ entities: { driver_id: ['one'] }, inputs: { amount: [1] } }, ['entities.driver_id[0]']],
      [{ inputs: { amount: [1] } }, ['entities']],
      [{}, ['entities']],
      [{ entities: { driver_id: [1] }, inputs: { amount: [1] }, requestKey: 'k'.repeat(300) }, ['requestKey']],
    ];
    for (const [body, expectedFields] of bad) {
      const refused = await call('POST', `endpoints/${endpoint}/predict`, body);
      expect(refused.status, JSON.stringify(body).slice(0, 200)).toBe(400);
      expect(fields(refused), JSON.stringify(refused.body).slice(0, 500)).toEqual(expectedFields);
    }
    expect((await call('POST', `endpoints/${uniqueName('none')}/predict`, { inputs: { amount: [1] } })).status).toBe(404);
    const pinnedUnknown = await fetch(`${host.url}/api/endpoints/${endpoint}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-arbor-variant': 'nope' },
      body: JSON.stringify({ entities: { driver_id: [1] }, inputs: { amount: [1] } }),
    });
    expect(pinnedUnknown.status).toBe(400);
    expect(((await pinnedUnknown.json()) as any).error.details[0].field).toBe('x-arbor-variant');
  });

  it('routes by weight, keeps a request key on its variant as the weights move past it, and honours a pinned variant', async () => {
    const name = uniqueName('routed');
    const put = (stable: number, canary: number) =>
      call('PUT', `endpoints/${name}`, { variants: [{ name: 'stable', model, version: 1, weight: stable }, { name: 'canary', model, version: 2, weight: canary }] });
    const variantOf = async (requestKey: string) => (await call('POST', `endpoints/${name}/predict`, { entities: { driver_id: [1] }, inputs: { amount: [1] }, requestKey })).body.variant as string;
    expect((await put(80, 20)).status).toBe(201);
    const keys = Array.from({ length: 60 }, (_, i) => `user-${i}`);
    const before = new Map<string, string>();
    for (const key of keys) before.set(key, await variantOf(key));
    const onCanary = keys.filter((key) => before.get(key) === 'canary');
    expect(onCanary.length).toBeGreaterThan(0);
    expect(onCanary.length).toBeLessThan(keys.length);
    for (const key of keys.slice(0, 10)) expect(await variantOf(key)).toBe(before.get(key));

    expect((await put(50, 50)).status).toBe(200);
    for (const key of onCanary) expect(await variantOf(key), key).toBe('canary');

    expect((await put(100, 0)).status).toBe(200);
    const pinned = await fetch(`${host.url}/api/endpoints/${name}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-arbor-variant': 'canary' },
      body: JSON.stringify({ entities: { driver_id: [2] }, inputs: { amount: [3] } }),
    });
    const answer = (await pinned.json()) as Record<string, any>;
    expect(answer).toMatchObject({ variant: 'canary', version: 2 });
    expect(answer.predictions[0]).toBeCloseTo(expected(v2.weights, v2.bias, 2, 3), 5);
  });

  it('mirrors to the shadow after answering, never returns its scores, and compares them in the shared window', async () => {
    const name = uniqueName('shadowed');
    const put = await call('PUT', `endpoints/${name}`, { variants: [{ name: 'stable', model, version: 1, weight: 100 }], shadow: { model, version: 2, percent: 100 } });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    for (let i = 0; i < 5; i++) {
      const answer = await call('POST', `endpoints/${name}/predict`, { entities: { driver_id: [1, 2, 3] }, inputs: { amount: [i, 2, 3] } });
      expect(answer.status).toBe(200);
      expect(Object.keys(answer.body).sort()).toEqual(['featureStatus', 'model', 'predictions', 'variant', 'version']);
      expect(answer.body).toMatchObject({ variant: 'stable', version: 1 });
    }
    const shadow = await eventually(async () => {
      const metrics = await call('GET', `endpoints/${name}/metrics?seconds=120`);
      return metrics.body.shadow?.compared === 15 ? metrics.body.shadow : undefined;
    });
    expect(shadow.requests).toBe(5);
    expect(shadow.errors).toBe(0);
    // Computed by hand: the two models decide alike on a row when both scores are on one side of 0.5.
    let agree = 0;
    for (let i = 0; i < 5; i++) {
      [1, 2, 3].forEach((id, j) => {
        const amount = [i, 2, 3][j] as number;
        if ((expected(v1.weights, v1.bias, id, amount) >= 0.5) === (expected(v2.weights, v2.bias, id, amount) >= 0.5)) agree++;
      });
    }
    expect(shadow.agreementRate).toBeCloseTo(agree / 15, 10);
    expect(shadow.scorePsi).toBeGreaterThan(0);
    const exported = await fetch(`${host.url}/api/metrics`).then((r) => r.text());
    expect(exported).toMatch(new RegExp(`arbor_serving_shadow_requests_total\\{endpoint="${name}",outcome="ok"\\} 5`));
  });

  it('injects faults where the setting allows them, and every instance reads the same per-variant window', async () => {
    const name = uniqueName('faulty');
    const put = await callFaulty('PUT', `endpoints/${name}`, {
      variants: [
        { name: 'stable', model, version: 1, weight: 50 },
        { name: 'broken', model, version: 2, weight: 50, faults: { errorRate: 1, latencyMs: 20 } },
      ],
    });
    expect(put.status, JSON.stringify(put.body)).toBe(201);
    const body = { entities: { driver_id: [1, 2] }, inputs: { amount: [1, 2] } };
    const pin = (target: typeof callFaulty, variant: string) =>
      fetch(`${(target === callFaulty ? faulty : host).url}/api/endpoints/${name}/predict`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-arbor-variant': variant }, body: JSON.stringify(body) });
    for (let i = 0; i < 3; i++) {
      const failed = await pin(callFaulty, 'broken');
      expect(failed.status).toBe(500);
      expect(((await failed.json()) as any).error.code).toBe('injected_fault');
    }
    // Two instances answer the stable variant; either reads the requests of both.
    for (const target of [call, callFaulty, call, callFaulty]) expect((await pin(target, 'stable')).status).toBe(200);

    const windows = await eventually(async () => {
      const metrics = await call('GET', `endpoints/${name}/metrics?seconds=300`);
      const [stable, broken] = metrics.body.variants as Array<Record<string, any>>;
      return stable?.requests === 4 && broken?.requests === 3 ? { stable, broken } : undefined;
    });
    expect(windows.stable).toMatchObject({ errors: 0, errorRate: 0, rows: 8 });
    expect(windows.stable.scoreHistogram.counts.reduce((a: number, b: number) => a + b, 0)).toBe(8);
    expect(windows.stable.latencyMs.p99).toBeGreaterThan(0);
    expect(windows.broken).toMatchObject({ errors: 3, errorRate: 1, rows: 0 });
    // The injected 20 ms sits inside every failed request's latency.
    expect(windows.broken.latencyMs.p50).toBeGreaterThanOrEqual(15);
    const fromOther = await callFaulty('GET', `endpoints/${name}/metrics?seconds=300`);
    expect(fromOther.body.variants[0].requests).toBe(4);

    const exported = await fetch(`${faulty.url}/api/metrics`).then((r) => r.text());
    expect(exported).toMatch(new RegExp(`arbor_serving_requests_total\\{endpoint="${name}",variant="broken",outcome="error"\\} 3`));
    expect(exported).toMatch(/arbor_serving_model_load_seconds_count\{model="[^"]+"\} [1-9]/);

    expect(fields(await call('GET', `endpoints/${name}/metrics?seconds=0`))).toEqual(['?seconds']);
    expect(fields(await call('GET', `endpoints/${name}/metrics?seconds=99999`))).toEqual(['?seconds']);
  });
});
