import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { definitionsSchema } from '../../../shared/features/definitions.js';
import { featureStores } from '../../../shared/features/stores.js';
import { applyDefinitions } from '../../../shared/features/registry.js';
import { ValidationError } from '../../../shared/platform/errors.js';
import { createServices, type Services } from '../../../shared/platform/services.js';
import { parseSettings } from '../../../shared/platform/settings.js';
import { readArtifact } from '../../../shared/serving/artifacts.js';
import { logisticRegressionOnnx } from '../../../shared/serving/onnx-writer.js';
import { getModel, listModelVersions, registerModelVersion, setVersionStage } from '../../../shared/serving/registry.js';
import { deleteRedisPrefix, redisClient } from '../../support/clients.js';

/** registerModelVersion as training calls it: in process, on the run's real Cosmos DB and Azurite. */
const suffix = randomUUID().slice(0, 8);
let services: Services;
const view = `reg_view_${suffix}`;
const signature = {
  inputs: [{ name: 'x', shape: [-1, 2], columns: [{ feature: `${view}:a` }, { input: 'b' }] }],
  outputs: [{ name: 'probability', shape: [-1, 1] }],
};
const onnx = (bias: number) => logisticRegressionOnnx({ weights: [0.5, -0.5], bias, inputName: 'x' });

beforeAll(async () => {
  services = createServices(parseSettings({ ...inject('arborEnv'), COSMOS_DATABASE: `serving-registry-${suffix}`, REDIS_KEY_PREFIX: `serving-registry-${suffix}:` }));
  await applyDefinitions(
    services,
    featureStores(services).online,
    definitionsSchema.parse({ entities: [{ name: `reg_entity_${suffix}`, joinKeys: [{ name: 'id', type: 'int64' }] }], featureViews: [{ name: view, entity: `reg_entity_${suffix}`, ttlSeconds: 0, features: [{ name: 'a', type: 'float64' }] }] }),
  );
});
afterAll(async () => {
  const raw = redisClient();
  await deleteRedisPrefix(raw, `serving-registry-${suffix}:`);
  raw.disconnect();
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('registerModelVersion (in process)', () => {
  it('creates the model when asked, stores the file under its hash, and records metrics and lineage', async () => {
    const bytes = onnx(0.1);
    const version = await registerModelVersion(services, {
      model: 'trained',
      artifact: bytes,
      metadata: { signature, metrics: { auc: 0.7, calibration_observed: [0.1, 0.5] }, lineage: { trainingSet: { container: 'training-sets', name: 'a.parquet' }, pipeline: 'train', runId: 'r1', step: 'fit' } },
      createModel: { task: 'binary_classification', description: 'from a pipeline' },
    });
    expect(version).toMatchObject({ model: 'trained', version: 1, stage: 'none', metrics: { auc: 0.7 }, lineage: { runId: 'r1', step: 'fit' } });
    expect(await getModel(services, 'trained')).toMatchObject({ task: 'binary_classification', description: 'from a pipeline', latestVersion: 1 });
    expect(Buffer.from(await readArtifact(services, version.artifact)).equals(Buffer.from(bytes))).toBe(true);
    expect((await setVersionStage(services, 'trained', 1, 'staging')).stage).toBe('staging');
  });

  it('gives concurrent registrations distinct numbers', async () => {
    await registerModelVersion(services, { model: 'raced', artifact: onnx(0), metadata: { signature }, createModel: {} });
    const versions = await Promise.all([1, 2, 3, 4].map((i) => registerModelVersion(services, { model: 'raced', artifact: onnx(i), metadata: { signature } })));
    expect(versions.map((v) => v.version).sort()).toEqual([2, 3, 4, 5]);
    expect((await listModelVersions(services, 'raced')).map((v) => v.version)).toEqual([5, 4, 3, 2, 1]);
  });

  it('refuses what does not match, naming each field, and stores nothing', async () => {
    const attempt = (input: Partial<Parameters<typeof registerModelVersion>[1]>) =>
      registerModelVersion(services, { model: 'refused', artifact: onnx(0), metadata: { signature }, createModel: {}, ...input }).catch((error: unknown) => error);
    const badSpec = await attempt({ createModel: { task: 'clustering' as 'other' } });
    expect(badSpec).toBeInstanceOf(ValidationError);
    expect((badSpec as ValidationError).details).toEqual([expect.objectContaining({ field: 'createModel.task' })]);
    const mismatch = await attempt({ metadata: { signature: { ...signature, inputs: [{ ...signature.inputs[0]!, name: 'features' }] } } });
    expect(((mismatch as ValidationError).details as Array<{ field: string }>).map((d) => d.field)).toEqual(['signature.inputs[0].name', 'signature.inputs']);
    const notOnnx = await attempt({ artifact: new Uint8Array([1, 2, 3]) });
    expect(((notOnnx as ValidationError).details as Array<{ field: string }>)[0]?.field).toBe('artifact');
    expect(await getModel(services, 'refused')).toBeUndefined();
  });
});
