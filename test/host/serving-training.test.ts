import { InferenceSession, Tensor } from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { jsonApi, type JsonAnswer } from '../support/json-api.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { pipelinesApi } from '../support/pipelines-api.js';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const fields = (answer: JsonAnswer) => (answer.body.error?.details as Array<{ field: string }> | undefined)?.map((d) => d.field) ?? [];

/** A seeded generator, so the data set (and so the fit) is the same on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

describe('model.train through the local host: feature store training set -> pipeline -> registry -> endpoint', () => {
  let host: HostProcess;
  const call = jsonApi(() => host);
  const driver = uniqueName('driver', '_');
  const stats = uniqueName('driver_stats', '_');
  const model = uniqueName('trained');
  const endpoint = uniqueName('trained-api');
  const drivers = new Map<number, { trips: number; rating: number }>();
  let trainingSet: { container: string; name: string };

  beforeAll(async () => {
    host = await startHostProcess();
    const registry = await call('POST', 'features/registry', {
      entities: [{ name: driver, joinKeys: [{ name: 'driver_id', type: 'int64' }] }],
      featureViews: [{ name: stats, entity: driver, ttlSeconds: 86_400, online: true, features: [{ name: 'trips', type: 'int64' }, { name: 'rating', type: 'float64' }] }],
    });
    expect(registry.status, registry.text).toBe(200);
    const random = generator(13);
    const featureTime = Date.now() - 3_600_000;
    for (let id = 1; id <= 600; id++) drivers.set(id, { trips: Math.floor(random() * 20), rating: Math.round((1 + random() * 4) * 100) / 100 });
    const pushed = await call('POST', 'features/push', {
      view: stats,
      to: 'both',
      rows: [...drivers].map(([id, values]) => ({ driver_id: id, event_timestamp: new Date(featureTime).toISOString(), ...values })),
    });
    expect(pushed.status, pushed.text).toBe(200);
    // Labels from a known logistic model of trips, rating and a raw input, amount.
    const entityRows = [...drivers].map(([id, { trips, rating }]) => {
      const amount = Math.round(random() * 100) / 10;
      const label = random() < sigmoid(0.25 * trips - 1.1 * rating + 0.2 * amount + 1) ? 1 : 0;
      return { driver_id: id, event_timestamp: new Date(featureTime + 60_000).toISOString(), amount, label };
    });
    // The labels travel as a CSV blob: its every column is kept in the training set.
    const labelsBlob = `${uniqueName('labels')}/rows.csv`;
    const csv = ['driver_id,event_timestamp,amount,label', ...entityRows.map((r) => `${r.driver_id},${r.event_timestamp},${r.amount},${r.label}`)].join('\n');
    await blobClient().getContainerClient('training-sets').createIfNotExists();
    await blobClient().getContainerClient('training-sets').getBlockBlobClient(labelsBlob).uploadData(Buffer.from(csv));
    const historical = await call('POST', 'features/historical', { entityRowsBlob: { container: 'training-sets', name: labelsBlob }, features: [`${stats}:trips`, `${stats}:rating`] });
    expect(historical.status, historical.text).toBe(200);
    trainingSet = historical.body.blob;
    expect(trainingSet.container).toBe('training-sets');
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('trains, evaluates and registers a version; the endpoint and onnxruntime itself score it as the logistic function of the trained weights', async () => {
    const api = pipelinesApi(host);
    const pipeline = uniqueName('train');
    const registered = await api.register({
      name: pipeline,
      steps: [
        {
          id: 'train',
          uses: 'model.train',
          with: { trainingSet: { container: trainingSet.container, blob: trainingSet.name }, label: 'label', features: [`${stats}:trips`, `${stats}:rating`, 'amount'], model, l2: 1, testFraction: 0.25, seed: 3 },
        },
      ],
    });
    expect(registered.status, await registered.clone().text()).toBe(201);
    const runId = await api.start(pipeline);
    const run = await api.finished(runId, 60_000);
    expect(run.state, JSON.stringify(run.steps)).toBe('succeeded');
    const outputs = run.steps.train?.outputs as { version: number; weights: number[]; bias: number; auc: number; logLoss: number; accuracy: number; trainRows: number; testRows: number; trainingMs: number; calibration: Array<{ count: number }> };
    expect(outputs.version).toBe(1);
    expect(outputs.trainRows + outputs.testRows).toBe(600);
    expect(outputs.testRows).toBe(150);
    expect(outputs.auc).toBeGreaterThan(0.75);
    expect(outputs.logLoss).toBeLessThan(0.6);
    expect(outputs.calibration.reduce((sum, b) => sum + b.count, 0)).toBe(150);
    // The generating model's signs come back.
    expect(outputs.weights[0]).toBeGreaterThan(0);
    expect(outputs.weights[1]).toBeLessThan(0);
    expect(outputs.weights[2]).toBeGreaterThan(0);

    const version = await call('GET', `models/${model}/versions/1`);
    expect(version.body).toMatchObject({
      model,
      version: 1,
      metrics: { auc: outputs.auc, log_loss: outputs.logLoss, accuracy: outputs.accuracy, test_rows: 150 },
      lineage: { trainingSet: { container: trainingSet.container, name: trainingSet.name }, runId, step: 'train' },
    });
    expect(version.body.signature.inputs[0].columns).toEqual([{ feature: `${stats}:trips` }, { feature: `${stats}:rating` }, { input: 'amount', type: 'float64' }]);
    expect((await call('GET', `models/${model}`)).body.task).toBe('binary_classification');
    expect(run.steps.train?.lineage.read).toEqual([{ container: trainingSet.container, name: trainingSet.name }]);

    const put = await call('PUT', `endpoints/${endpoint}`, { variants: [{ name: 'stable', model, version: 1, weight: 100 }] });
    expect(put.status, put.text).toBe(201);
    const ids = [1, 2, 3, 4, 5];
    const amounts = [0, 2.5, 5, 7.5, 10];
    const predicted = await call('POST', `endpoints/${endpoint}/predict`, { entities: { driver_id: ids }, inputs: { amount: amounts } });
    expect(predicted.status, predicted.text).toBe(200);
    const [w0, w1, w2] = outputs.weights as [number, number, number];
    const byHand = ids.map((id, i) => {
      const { trips, rating } = drivers.get(id)!;
      return sigmoid(w0 * trips + w1 * Math.fround(rating) + w2 * amounts[i]! + outputs.bias);
    });
    (predicted.body.predictions as number[]).forEach((p, i) => expect(p).toBeCloseTo(byHand[i]!, 5));

    // The stored file, read straight from blob storage and run by onnxruntime-node: none of Arbor's serving code.
    const bytes = await blobClient().getContainerClient('models').getBlockBlobClient(version.body.artifact.name).downloadToBuffer();
    const session = await InferenceSession.create(bytes);
    const rows = ids.flatMap((id, i) => [drivers.get(id)!.trips, drivers.get(id)!.rating, amounts[i]!]);
    const { probability } = await session.run({ features: new Tensor('float32', Float32Array.from(rows), [ids.length, 3]) });
    Array.from(probability!.data as Float32Array).forEach((p, i) => expect(p).toBeCloseTo(byHand[i]!, 5));
    await session.release();
  });

  it('refuses bad step input at registration naming the field, and fails a run on a column the training set lacks, registering nothing', async () => {
    const api = pipelinesApi(host);
    const bad = await api.register({
      name: uniqueName('train-bad'),
      steps: [{ id: 'train', uses: 'model.train', with: { trainingSet: { container: 'models', blob: 'x.parquet' }, label: 'label', features: [], model: 'Bad Name', l2: -1 } }],
    });
    expect(bad.status).toBe(400);
    const badFields = ((await bad.json()) as { error: { details: Array<{ field: string }> } }).error.details.map((d) => d.field);
    expect(badFields).toEqual(expect.arrayContaining(['steps[0].with.trainingSet.container', 'steps[0].with.features', 'steps[0].with.model', 'steps[0].with.l2']));

    const pipeline = uniqueName('train-missing');
    const other = uniqueName('untrained');
    expect((await api.register({ name: pipeline, steps: [{ id: 'train', uses: 'model.train', with: { trainingSet: { container: trainingSet.container, blob: trainingSet.name }, label: 'churned', features: [`${stats}:trips`, 'colour'], model: other } }] })).status).toBe(201);
    const run = await api.finished(await api.start(pipeline), 60_000);
    expect(run.state).toBe('failed');
    expect(run.steps.train?.error).toMatch(/label: "churned" is not a column/);
    expect(run.steps.train?.error).toMatch(/and 1 more problem/);
    expect((await call('GET', `models/${other}`)).status).toBe(404);
  });
});
