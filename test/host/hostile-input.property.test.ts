import { createHash } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type AzuriteService } from '../../local/emulators/azurite.js';
import { cosmosClient, deleteRedisPrefix, redisClient } from '../support/clients.js';
import { startHostProcess, type HostProcess } from '../support/host-process.js';
import { documentedOperations } from '../support/openapi-statuses.js';
import type { OpenApiDocument } from '../../shared/platform/api/openapi-document.js';

/**
 * Every public HTTP route, driven with generated hostile bodies and route parameters. For each
 * answer: never a 5xx, never a stack trace, the documented error body on every 4xx, and a 4xx
 * changes nothing: Redis keys, Cosmos documents and blobs are compared before and after each
 * rejected request. The host gets an Azurite of its own so other test files' blobs cannot
 * disturb the comparison.
 */
interface Described {
  name: string;
  trigger: string;
  route?: string;
  methods?: string[];
}

const fieldNames = [
  'name', 'id', 'steps', 'uses', 'with', 'dependsOn', 'params', 'schedule', 'features', 'entities', 'rows', 'view', 'views',
  'vector', 'items', 'k', 'ef', 'text', 'blob', 'container', 'question', 'filter', 'dimension', 'metric', 'shards',
  'event_timestamp', 'start', 'end', 'collection', 'metadata', 'format', 'columns', 'entityRows', 'entityRowsBlob',
  'joinKeys', 'ttlSeconds', 'reference', 'current', 'trainingSet', 'stream', 'retrieval', 'version', 'owner', 'mode', 'to', 'from',
  'variants', 'shadow', 'weight', 'percent', 'faults', 'model', 'inputs', 'requestKey', 'signature', 'artifact', 'base64', 'task',
];

const hostileString = fc.oneof(
  fc.constantFrom('', '../../azure-webjobs-secrets/host.json', 'a\u0000b', '%00', '${{ steps.x.outputs.y }}', "x'; DROP TABLE t; --", '<script>alert(1)</script>', 'NaN', '-1', '9999999999999999999', '1e309', '__proto__', 'constructor', '\\..\\', '\uD800'),
  fc.string({ maxLength: 40 }),
  fc.constant('#'.repeat(3) + ' '.repeat(3_000) + 'x'),
);

const hostileLeaf = fc.oneof(hostileString, fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(1e308), fc.constant(-0));

/** JSON values shaped like request bodies: objects with the platform's field names, hostile leaves, some nesting. */
const hostileBody: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof({ maxDepth: 4 }, hostileLeaf, tie('object'), tie('array')),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...fieldNames), fc.string({ maxLength: 12 })), tie('value'), { maxKeys: 6 }),
  array: fc.array(tie('value'), { maxLength: 5 }),
})).object;

const hostileParam = fc.oneof(
  fc.constantFrom('..', '%2e%2e', 'a'.repeat(300), 'x y', 'é', 'UPPER', 'ok-name', 'ok_name', '0', '-', '%00', 'a%2Fb'),
  fc.stringMatching(/^[a-z0-9_-]{1,12}$/),
);

const stackTrace = /\n\s+at .+[:(]\d+:\d+\)?|\.ts:\d+:\d+|node:internal/;

describe('every public route under generated hostile input', () => {
  let azurite: AzuriteService;
  let host: HostProcess;
  let routes: Array<{ name: string; route: string; method: string }>;
  const redis = redisClient();

  beforeAll(async () => {
    azurite = await startAzurite({ inMemory: true });
    const timers = ['heartbeat', 'materialize-online-views', 'archive-offline-partitions', 'snapshot-vector-shards', 'start-scheduled-runs', 'purge-expired'];
    host = await startHostProcess({
      AzureWebJobsStorage: azurite.connectionString,
      ...Object.fromEntries(timers.map((name) => [`AzureWebJobs.${name}.Disabled`, 'true'])),
    });
    const listing = (await (await fetch(`${host.url}/admin/functions`)).json()) as { functions: Described[] };
    routes = listing.functions
      // rpc speaks the Connect protocol, whose error body is Connect's ({ code, message }), not
      // Arbor's; test/host/grpc.test.ts drives it with malformed protobuf, wrong types, unknown
      // methods, oversize bodies and a missing key instead.
      .filter((fn) => fn.trigger === 'httpTrigger' && fn.route && fn.route !== 'metrics' && fn.name !== 'rpc')
      .flatMap((fn) => (fn.methods ?? ['GET', 'POST']).map((method) => ({ name: fn.name, route: fn.route as string, method })));
  }, 120_000);

  afterAll(async () => {
    await host?.stop();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
    await azurite?.stop();
  });

  /** Everything the host could have written: its Redis keys and values, Cosmos documents, blobs. */
  async function snapshot(): Promise<string> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${host.redisPrefix}*`, 'COUNT', 1_000);
      keys.push(...found);
      cursor = next;
    } while (cursor !== '0');
    const redisState = await Promise.all(keys.sort().map(async (key) => `${key}=${createHash('sha1').update((await redis.dumpBuffer(key)) ?? '').digest('hex')}`));
    const database = cosmosClient().database(host.database);
    const cosmosState: string[] = [];
    const { resources: containers } = await database.containers.readAll().fetchAll().catch(() => ({ resources: [] as Array<{ id: string }> }));
    for (const { id } of containers) {
      const { resources } = await database.container(id).items.query<{ id: string; _etag: string }>('SELECT c.id, c._etag FROM c').fetchAll();
      cosmosState.push(...resources.map((doc) => `${id}/${doc.id}@${doc._etag}`));
    }
    const blobService = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const blobState: string[] = [];
    for await (const container of blobService.listContainers()) {
      blobState.push(`[${container.name}]`);
      for await (const blob of blobService.getContainerClient(container.name).listBlobsFlat()) blobState.push(`${container.name}/${blob.name}@${blob.properties.etag}`);
    }
    return JSON.stringify({ redis: redisState, cosmos: cosmosState.sort(), blobs: blobState.sort() });
  }

  function fillRoute(route: string, params: string[]): string {
    let index = 0;
    return route.replace(/\{\*?(\w+)(?::[^}]*)?\??\}/g, () => encodeURIComponent(params[index++ % params.length] ?? 'x'));
  }

  it('answers with no 5xx, no stack trace, the error shape on 4xx, and no state change on 4xx', async () => {
    expect(routes.length).toBeGreaterThan(20);
    const seen = new Map<string, Set<number>>();
    // Nothing else writes to this host's stores (its timers are off), so one snapshot per request suffices.
    let state = await snapshot();
    for (const { route, method, name } of routes) {
      await fc.assert(
        fc.asyncProperty(hostileBody, fc.array(hostileParam, { minLength: 1, maxLength: 3 }), async (body, params) => {
          const response = await fetch(`${host.url}/api/${fillRoute(route, params)}`, {
            method,
            headers: { 'content-type': 'application/json' },
            ...(method === 'GET' || method === 'HEAD' ? {} : { body: JSON.stringify(body) }),
          });
          const text = await response.text();
          const where = `${method} /api/${route} (${name}) -> ${response.status}: ${text.slice(0, 300)}`;
          let statuses = seen.get(name);
          if (!statuses) seen.set(name, (statuses = new Set()));
          statuses.add(response.status);
          expect(response.status, where).toBeLessThan(500);
          expect(text, where).not.toMatch(stackTrace);
          if (response.status >= 400) {
            const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
            expect(parsed.error, where).toMatchObject({ code: expect.any(String), message: expect.any(String) });
            expect(parsed.error?.details, where).toBeDefined();
            expect(await snapshot(), `${where}\nchanged state`).toBe(state);
          } else {
            // An accepted request may change state: what it left is the next comparison's base.
            state = await snapshot();
          }
        }),
        { numRuns: Number(process.env.HOSTILE_RUNS ?? 6), seed: 20261201, endOnFailure: true },
      );
    }
    // The generator reached the validation of every route, not only its 404s.
    const onlyNotFound = [...seen].filter(([, statuses]) => [...statuses].every((status) => status === 404)).map(([name]) => name);
    expect(onlyNotFound).toEqual([]);
    // And every status a route answered is one GET /api/openapi.json lists for that function.
    const document = (await (await fetch(`${host.url}/api/openapi.json`)).json()) as OpenApiDocument;
    const undocumented = [...seen].flatMap(([name, statuses]) => {
      const listed = new Set(documentedOperations(document).filter((op) => op.function === name).flatMap((op) => Object.keys(op.operation.responses as object).map(Number)));
      return [...statuses].filter((status) => !listed.has(status)).map((status) => `${name}: ${status}`);
    });
    expect(undocumented).toEqual([]);
  }, 300_000);
});
