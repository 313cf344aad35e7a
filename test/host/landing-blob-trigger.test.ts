import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { eventually, startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { pipelinesApi } from '../support/pipelines-api.js';

interface LandedFile {
  file: string;
  rows: number | null;
  bytes: number;
  version: number;
  sha256: string;
}

describe('a blob trigger runs end to end: files landed in blob storage are catalogued in Cosmos DB', () => {
  let host: HostProcess;
  const dataset = uniqueName('orders');
  const landing = blobClient().getContainerClient('landing');
  const hosts = blobClient().getContainerClient('azure-webjobs-hosts');

  async function files(): Promise<LandedFile[]> {
    const response = await fetch(`${host.url}/api/datasets/${dataset}/files`);
    return ((await response.json()) as { files: LandedFile[] }).files;
  }

  async function upload(name: string, text: string): Promise<void> {
    await landing.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
  }

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_BLOB_MAX_ATTEMPTS: '3', ARBOR_BLOB_RETRY_MS: '100', 'AzureWebJobs.catalog-landed-file.Disabled': 'false' });
    const created = await fetch(`${host.url}/api/datasets/${dataset}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'csv' }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await host.stop();
  });

  it('catalogues a new file once, ignores a re-delivery of the same bytes, and versions a change', async () => {
    await upload(`${dataset}/2026/jan.csv`, 'id,amount\n1,10\n2,20\n');
    const [first] = await eventually(async () => ((await files()).length ? files() : undefined));
    expect(first).toMatchObject({ file: '2026/jan.csv', rows: 2, version: 1 });

    // Same bytes written again: a new blob version is delivered, but there is nothing new to record.
    await upload(`${dataset}/2026/jan.csv`, 'id,amount\n1,10\n2,20\n');
    // Listings give the ETag bare, properties give it quoted.
    const etag = (await landing.getBlobClient(`${dataset}/2026/jan.csv`).getProperties()).etag?.replaceAll('"', '');
    const receipt = hosts.getBlobClient(`blobreceipts/${host.env.WEBSITE_SITE_NAME}/catalog-landed-file/landing/${dataset}/2026/jan.csv`);
    await eventually(async () => {
      const { etag: delivered, status } = JSON.parse((await receipt.downloadToBuffer()).toString()) as { etag?: string; status?: string };
      return delivered === etag && status === 'done' ? true : undefined;
    });
    await upload(`${dataset}/2026/feb.csv`, 'id,amount\n3,30\n');
    await eventually(async () => ((await files()).length === 2 ? true : undefined));
    const afterRedelivery = await files();
    expect(afterRedelivery.find((f) => f.file === '2026/jan.csv')?.version).toBe(1);

    await upload(`${dataset}/2026/jan.csv`, 'id,amount\n1,10\n2,20\n4,40\n');
    const changed = await eventually(async () => {
      const jan = (await files()).find((f) => f.file === '2026/jan.csv');
      return jan && jan.version === 2 ? jan : undefined;
    });
    expect(changed.rows).toBe(3);
  });

  it('retries a file it cannot accept, then records it as poison with the reason', async () => {
    // `_` is in the one naming rule (shared/platform/names.ts), so the hint's PUT must work.
    const unknown = uniqueName('unregistered_x');
    await upload(`${unknown}/x.csv`, 'a\n1\n');
    const poison = await eventually(async () => {
      const blob = hosts.getBlobClient(`blobpoison/${host.env.WEBSITE_SITE_NAME}/catalog-landed-file/landing/${unknown}/x.csv.json`);
      return (await blob.exists()) ? JSON.parse((await blob.downloadToBuffer()).toString()) : undefined;
    });
    expect(poison).toMatchObject({ function: 'catalog-landed-file', blob: `${unknown}/x.csv`, attempts: 3 });
    expect(poison.error).toMatch(/is not registered/);
    expect(poison.error).toContain(`(PUT /api/datasets/${unknown})`);
    const hinted = await fetch(`${host.url}/api/datasets/${unknown}`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'csv' }) });
    expect(hinted.status, await hinted.text()).toBe(201);
    // A folder that cannot be a dataset name gets no PUT hint to try (that call would be a 400).
    const invalid = `Bad_${unknown.replaceAll('-', '_')}`;
    await upload(`${invalid}/x.csv`, 'a\n1\n');
    const refused = await eventually(async () => {
      const blob = hosts.getBlobClient(`blobpoison/${host.env.WEBSITE_SITE_NAME}/catalog-landed-file/landing/${invalid}/x.csv.json`);
      return (await blob.exists()) ? (JSON.parse((await blob.downloadToBuffer()).toString()) as { error: string }) : undefined;
    });
    expect(refused.error).toMatch(new RegExp(`"${invalid}" cannot be a dataset \\(a dataset name must be 1-63 characters: lowercase letters, digits, _ and -, starting with a letter`));
    expect(refused.error).not.toMatch(/PUT/);
    // A wrong format for a registered dataset is refused the same way, and nothing is catalogued.
    await upload(`${dataset}/notes.jsonl`, '{"a":1}\n');
    await eventually(async () => (await hosts.getBlobClient(`blobpoison/${host.env.WEBSITE_SITE_NAME}/catalog-landed-file/landing/${dataset}/notes.jsonl.json`).exists()) || undefined);
    expect((await files()).map((f) => f.file)).not.toContain('notes.jsonl');
  });

  it('starts the pipelines a landed file names, once per file version', async () => {
    const api = pipelinesApi(host);
    const name = uniqueName('on-landed');
    const spec = {
      name,
      params: { file: { type: 'string' } },
      on: { landed: { dataset, prefix: 'daily/' } },
      steps: [{ id: 'read', uses: 'noop', with: { echo: { file: '${{ params.file }}' } } }],
    };
    expect((await api.register(spec)).status).toBe(201);
    const runs = async () => ((await (await fetch(`${host.url}/api/pipelines/${name}/runs`)).json()) as { runs: Array<{ runId: string; trigger: string; params: Record<string, unknown> }> }).runs;
    const blobPolls = async () => ((await (await fetch(`${host.url}/admin/functions`)).json()) as { blobPolls: number }).blobPolls;

    await upload(`${dataset}/daily/d1.csv`, 'id,amount\n1,10\n');
    const [first] = await eventually(async () => ((await runs()).length ? runs() : undefined));
    expect(first).toMatchObject({ trigger: 'landed', params: { file: `${dataset}/daily/d1.csv` } });
    const run = await api.finished(first!.runId);
    expect(run.steps.read).toMatchObject({ state: 'succeeded', outputs: { file: `${dataset}/daily/d1.csv` } });

    // The same bytes again, and a file outside the prefix: catalogued, but no new run.
    await upload(`${dataset}/daily/d1.csv`, 'id,amount\n1,10\n');
    await upload(`${dataset}/monthly/m1.csv`, 'id,amount\n2,20\n');
    const before = await blobPolls();
    await eventually(async () => ((await files()).some((f) => f.file === 'monthly/m1.csv') && (await blobPolls()) >= before + 2 ? true : undefined));
    expect(await runs()).toHaveLength(1);

    // New bytes are a new version: one more run.
    await upload(`${dataset}/daily/d1.csv`, 'id,amount\n1,10\n3,30\n');
    await eventually(async () => ((await runs()).length === 2 ? true : undefined));
    expect(new Set((await runs()).map((r) => r.runId)).size).toBe(2);
  });

  it('refuses a landed-file trigger whose param is missing or not a string, storing nothing', async () => {
    const api = pipelinesApi(host);
    const name = uniqueName('bad-landed');
    const steps = [{ id: 'x', uses: 'noop' }];
    const missing = await api.register({ name, on: { landed: { dataset } }, steps });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { details: [{ field: 'on.landed.param', problem: expect.stringContaining('"file"') }] } });
    const numeric = await api.register({ name, params: { file: { type: 'number' } }, on: { landed: { dataset } }, steps });
    expect(await numeric.json()).toMatchObject({ error: { details: [{ field: 'params.file.type' }] } });
    const unknownField = await api.register({ name, params: { file: { type: 'string' } }, on: { landed: { dataset, when: 'always' } }, steps });
    expect(unknownField.status).toBe(400);
    expect((await fetch(`${host.url}/api/pipelines/${name}`)).status).toBe(404);
  });
});
