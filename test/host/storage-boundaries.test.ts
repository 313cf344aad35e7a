import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobClient } from '../support/clients.js';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { jsonApi } from '../support/json-api.js';

/**
 * Every container of the storage account is reachable by the app's identity; a caller must
 * reach only the data containers. Each request here named a container or blob it must not, and
 * each was accepted before the allowlist (a secret copied into documents/ came back through ask).
 */
describe('storage boundaries through the local host', () => {
  let host: HostProcess;
  const call = jsonApi(() => host);
  const secret = `secret-${uniqueName('k')}`;

  beforeAll(async () => {
    host = await startHostProcess();
    const container = blobClient().getContainerClient('azure-webjobs-secrets');
    await container.createIfNotExists();
    await container.getBlockBlobClient('arbor-test/host.json').upload(secret, secret.length);
  });
  afterAll(async () => {
    await host.stop();
    await blobClient().getContainerClient('azure-webjobs-secrets').deleteBlob('arbor-test/host.json').catch(() => undefined);
  });

  it('refuses a RAG document read from a non-data container or through ".."', async () => {
    const outside = await call('POST', 'rag/documents', { id: 'leak', blob: { container: 'azure-webjobs-secrets', name: 'arbor-test/host.json' } });
    expect(outside.status).toBe(400);
    expect(outside.body.error.details).toEqual([expect.objectContaining({ field: 'blob.container', problem: expect.stringMatching(/not a data container/) })]);
    const climbing = await call('POST', 'rag/documents', { id: 'leak', blob: { container: 'documents', name: '../azure-webjobs-secrets/arbor-test/host.json' } });
    expect(climbing.status).toBe(400);
    expect(climbing.body.error.details).toEqual([expect.objectContaining({ field: 'blob.name' })]);
    const ask = await call('POST', 'rag/ask', { question: secret });
    expect(ask.text).not.toContain(secret);
  });

  it('refuses pipeline steps that name non-data containers, and stores nothing', async () => {
    const name = uniqueName('exfiltrate');
    const registered = await call('POST', 'pipelines', {
      name,
      steps: [{ id: 'copy', uses: 'blob.load', with: { from: { container: 'azure-webjobs-secrets', blob: 'arbor-test/host.json' }, to: { container: 'documents', blob: 'leak.json' } } }],
    });
    expect(registered.status).toBe(400);
    expect(JSON.stringify(registered.body.error.details)).toMatch(/not a data container/);
    expect((await call('GET', `pipelines/${name}`)).status).toBe(404);
  });

  it('refuses a training set whose entity rows blob climbs out of its container', async () => {
    const answer = await call('POST', 'features/historical', {
      features: ['v:f'],
      entityRowsBlob: { container: 'landing', name: '../vectors/log' },
    });
    expect(answer.status).toBe(400);
    expect(JSON.stringify(answer.body.error.details)).toMatch(/entityRowsBlob\.name/);
  });
});
