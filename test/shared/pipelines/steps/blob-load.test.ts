import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { StepContext } from '../../../../shared/pipelines/step-type.js';
import type { BlobRef } from '../../../../shared/storage/blob-files.js';
import { blobLoadStep } from '../../../../shared/pipelines/steps/blob-load.js';
import { createServices, type Services } from '../../../../shared/platform/services.js';
import { parseSettings } from '../../../../shared/platform/settings.js';

const suffix = randomUUID().slice(0, 8);
const source = `load-src-${suffix}`;
const target = `load-dst-${suffix}`;
let services: Services;

function stepContext(stepId: string): { context: StepContext; lineage: { read: BlobRef[]; wrote: BlobRef[] } } {
  const lineage = { read: [] as BlobRef[], wrote: [] as BlobRef[] };
  const context: StepContext = {
    services,
    runId: `run-${suffix}`,
    stepId,
    attempt: 1,
    signal: new AbortController().signal,
    lineage: { read: (blob) => void lineage.read.push(blob), wrote: (blob) => void lineage.wrote.push(blob) },
  };
  return { context, lineage };
}

const content = Buffer.from('PAR1 pretend parquet '.repeat(1000));

beforeAll(async () => {
  const env = inject('arborEnv');
  services = createServices(parseSettings({ ...env, ARBOR_DATA_CONTAINERS: `pipelines,${source},${target}`, COSMOS_DATABASE: `steps-load-${suffix}`, REDIS_KEY_PREFIX: `steps-load-${suffix}:` }));
  const container = services.blob.getContainerClient(source);
  await container.create();
  await container.getBlockBlobClient('staged.parquet').uploadData(content, { blobHTTPHeaders: { blobContentType: 'application/vnd.apache.parquet' } });
  await container.getBlockBlobClient('archived.parquet').uploadData(content, { tier: 'Archive' });
});

afterAll(async () => {
  await services.blob.getContainerClient(source).deleteIfExists();
  await services.blob.getContainerClient(target).deleteIfExists();
  services.redis.disconnect();
  services.cosmos.client.dispose();
});

describe('blob.load', () => {
  it('copies into a new container in the cool tier by default, keeping the content type, and records lineage', async () => {
    const { context, lineage } = stepContext('load');
    const input = blobLoadStep.input.parse({ from: { container: source, blob: 'staged.parquet' }, to: { container: target, blob: 'a/b.parquet' } });
    expect(input.tier).toBe('Cool');
    expect(await blobLoadStep.run(input, context)).toEqual({ container: target, blob: 'a/b.parquet', bytes: content.length, tier: 'Cool' });
    const copy = services.blob.getContainerClient(target).getBlobClient('a/b.parquet');
    const properties = await copy.getProperties();
    expect(properties.accessTier).toBe('Cool');
    expect(properties.contentType).toBe('application/vnd.apache.parquet');
    expect((await copy.downloadToBuffer()).equals(content)).toBe(true);
    expect(lineage).toEqual({ read: [{ container: source, name: 'staged.parquet' }], wrote: [{ container: target, name: 'a/b.parquet' }] });
  });

  it('sets the tier asked for, and overwrites an earlier load', async () => {
    for (const tier of ['Hot', 'Cold', 'Archive'] as const) {
      const { context } = stepContext(`load-${tier}`);
      await blobLoadStep.run(blobLoadStep.input.parse({ from: { container: source, blob: 'staged.parquet' }, to: { container: target, blob: 'tiered.parquet' }, tier }), context);
      expect((await services.blob.getContainerClient(target).getBlobClient('tiered.parquet').getProperties()).accessTier).toBe(tier);
    }
  });

  it('fails, naming the blob, when the source is missing or archived, writing nothing', async () => {
    const { context, lineage } = stepContext('bad');
    await expect(
      blobLoadStep.run(blobLoadStep.input.parse({ from: { container: source, blob: 'gone.parquet' }, to: { container: target, blob: 'x.parquet' } }), context),
    ).rejects.toThrow(`${source}/gone.parquet does not exist`);
    await expect(
      blobLoadStep.run(blobLoadStep.input.parse({ from: { container: source, blob: 'archived.parquet' }, to: { container: target, blob: 'x.parquet' } }), context),
    ).rejects.toThrow(`${source}/archived.parquet is in the archive tier: rehydrate it`);
    expect(lineage).toEqual({ read: [], wrote: [] });
    expect(await services.blob.getContainerClient(target).getBlobClient('x.parquet').exists()).toBe(false);
  });

  it('rejects a bad `with`', () => {
    const problems = (value: unknown) => {
      const parsed = blobLoadStep.input.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    };
    const from = { container: source, blob: 'staged.parquet' };
    expect(problems({ from, to: { container: target, blob: 'x' }, tier: 'Frozen' })).toEqual([expect.stringMatching(/^tier: /)]);
    expect(problems({ from, to: from })).toEqual(['to: from and to are the same blob']);
    expect(problems({ from, to: { container: 'x', blob: 'y' } })).toEqual([expect.stringMatching(/^to\.container: is not a valid container name/)]);
    expect(problems({ from, to: { container: target } })).toHaveLength(1);
    expect(problems({ from })).toHaveLength(1);
  });
});
