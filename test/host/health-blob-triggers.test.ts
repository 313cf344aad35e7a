import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, type HostProcess } from '../support/host-process.js';

/**
 * `/api/health` with Event Grid blob triggers, as infra deploys them: the app lists the storage
 * topic's subscriptions from Azure Resource Manager with a token from its managed identity. No
 * Azure is reachable here, so one loopback server plays both, speaking their wire formats: the
 * App Service managed-identity endpoint (`IDENTITY_ENDPOINT` + `X-IDENTITY-HEADER`, which the
 * real @azure/identity calls) and Resource Manager's event-subscription list.
 */
const topicId = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-arbor/providers/Microsoft.EventGrid/systemTopics/starbor-events';
const identityHeader = 'identity-secret-1';
const armToken = 'arm-token-1';

const subscription = (name: string, container: string) => ({
  id: `${topicId}/eventSubscriptions/${name}`,
  name,
  type: 'Microsoft.EventGrid/eventSubscriptions',
  properties: {
    provisioningState: 'Succeeded',
    destination: { endpointType: 'WebHook', properties: { endpointBaseUrl: 'https://app.example/runtime/webhooks/blobs' } },
    filter: { subjectBeginsWith: `/blobServices/default/containers/${container}/`, includedEventTypes: ['Microsoft.Storage.BlobCreated'] },
  },
});

describe('health reports a blob trigger whose Event Grid subscription is missing', () => {
  let azure: Server;
  let host: HostProcess;
  let armBase: string;
  const listCalls: Array<{ url: string; authorization: string | undefined }> = [];
  const tokenCalls: Array<{ resource: string | null; header: string | undefined }> = [];

  beforeAll(async () => {
    azure = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://127.0.0.1');
      if (url.pathname === '/msi/token') {
        tokenCalls.push({ resource: url.searchParams.get('resource'), header: request.headers['x-identity-header'] as string | undefined });
        if (request.headers['x-identity-header'] !== identityHeader) return void response.writeHead(401).end();
        const expiresOn = Math.floor(Date.now() / 1000) + 3600;
        response.writeHead(200, { 'content-type': 'application/json' });
        return void response.end(JSON.stringify({ access_token: armToken, expires_on: String(expiresOn), resource: url.searchParams.get('resource'), token_type: 'Bearer' }));
      }
      if (url.pathname === `${topicId}/eventSubscriptions`) {
        listCalls.push({ url: url.pathname + url.search, authorization: request.headers.authorization });
        if (request.headers.authorization !== `Bearer ${armToken}`) return void response.writeHead(401).end();
        // The postdeploy hook made two of the three: the documents trigger would never fire.
        response.writeHead(200, { 'content-type': 'application/json' });
        return void response.end(JSON.stringify({ value: [subscription('catalog-landed-file', 'landing'), subscription('ingest-feature-file', 'ingest')] }));
      }
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => azure.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(azure.address() as AddressInfo).port}`;
    armBase = base;
    host = await startHostProcess({
      ARBOR_BLOB_TRIGGER_SOURCE: 'EventGrid',
      ARBOR_BLOB_TRIGGER_TOPIC_ID: topicId,
      ARBOR_ARM_ENDPOINT: base,
      IDENTITY_ENDPOINT: `${base}/msi/token`,
      IDENTITY_HEADER: identityHeader,
    });
  });
  afterAll(async () => {
    await host?.stop();
    await new Promise<void>((resolve) => azure.close(() => resolve()));
  });

  it('names the trigger, says what to run, and answers 503 degraded while every dependency is up', async () => {
    const response = await fetch(`${host.url}/api/health`);
    const health = (await response.json()) as {
      status: string;
      dependencies: Record<string, { status: string }>;
      blobTriggers: { source: string; status: string; functions: Record<string, { container: string; subscription: string }> };
    };
    expect(response.status).toBe(503);
    expect(health.status).toBe('degraded');
    expect(Object.values(health.dependencies).map((d) => d.status)).toEqual(['up', 'up', 'up']);
    expect(health.blobTriggers.source).toBe('EventGrid');
    expect(health.blobTriggers.status).toBe('missing');
    expect(health.blobTriggers.functions).toEqual({
      'catalog-landed-file': { container: 'landing', subscription: 'ok' },
      'ingest-feature-file': { container: 'ingest', subscription: 'ok' },
      'ingest-rag-document': { container: 'documents', subscription: 'missing: run `azd hooks run postdeploy`' },
    });
    // The token was asked for Resource Manager, with the identity header, and used on the list.
    expect(tokenCalls[0]).toEqual({ resource: armBase, header: identityHeader });
    expect(listCalls[0]?.url).toBe(`${topicId}/eventSubscriptions?api-version=2025-02-15`);
    expect(listCalls[0]?.authorization).toBe(`Bearer ${armToken}`);
  });

  it('asks Resource Manager at most once a minute, however often health is called', async () => {
    const before = listCalls.length;
    for (let i = 0; i < 5; i++) expect((await fetch(`${host.url}/api/health`)).status).toBe(503);
    expect(listCalls.length).toBe(before);
  });
});
