import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../shared/platform/api/openapi-document.js';
import { openApiPaths } from '../../shared/platform/api/route-paths.js';
import { deleteRedisPrefix, redisClient } from '../support/clients.js';
import { startHostProcess, type HostProcess } from '../support/host-process.js';
import { answerProblems } from '../support/openapi-answers.js';
import { documentedOperations, documentedStatuses, type DocumentedOperation } from '../support/openapi-statuses.js';

interface Registered {
  name: string;
  trigger: string;
  route?: string;
  methods?: string[];
  authLevel?: string;
}

const functionKey = 'openapi-test-key-0123456789abcdef';

describe('GET /api/openapi.json', () => {
  let host: HostProcess;
  let document: OpenApiDocument;
  let httpFunctions: Registered[];

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_FUNCTION_KEY: functionKey });
    // No key: the document is anonymous, as a generator or a browser fetches it.
    const response = await fetch(`${host.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    document = (await response.json()) as OpenApiDocument;
    const listing = (await (await fetch(`${host.url}/admin/functions`, { headers: { 'x-functions-key': functionKey } })).json()) as { functions: Registered[] };
    httpFunctions = listing.functions.filter((fn) => fn.trigger === 'httpTrigger');
  });
  afterAll(async () => {
    await host?.stop();
    const redis = redisClient();
    await deleteRedisPrefix(redis, host.redisPrefix);
    redis.disconnect();
  });

  it('is a valid OpenAPI 3.1 document, of the version package.json says', async () => {
    expect(await new Validator().validate(document)).toEqual({ valid: true });
    expect(document.openapi).toBe('3.1.0');
    const pkg = JSON.parse(await readFile(join(process.cwd(), 'package.json'), 'utf8')) as { version: string };
    expect(document.info.version).toBe(pkg.version);
  });

  it('documents every HTTP route the host serves, at its full path and method', () => {
    expect(httpFunctions.length).toBeGreaterThan(40);
    const operations = documentedOperations(document);
    const missing = httpFunctions.flatMap((fn) => {
      const fullPath = `/${openApiPaths(fn.route as string).at(-1)}`;
      return (fn.methods ?? []).flatMap((method) =>
        operations.some((op) => op.function === fn.name && op.path === fullPath && op.method === method) ? [] : [`${fn.name}: ${method} ${fullPath}`],
      );
    });
    expect(missing).toEqual([]);
  });

  it('documents nothing the host does not serve, and asks for a key exactly where the host does', () => {
    const byName = new Map(httpFunctions.map((fn) => [fn.name, fn]));
    const wrong = documentedOperations(document).flatMap((op) => {
      const fn = byName.get(op.function);
      if (!fn) return [`${op.id}: no HTTP function "${op.function}"`];
      const problems: string[] = [];
      if (!openApiPaths(fn.route as string).map((path) => `/${path}`).includes(op.path)) problems.push(`${op.id}: ${op.path} is not served by ${fn.route}`);
      if (!fn.methods?.includes(op.method)) problems.push(`${op.id}: ${op.method} is not among ${fn.methods?.join()}`);
      const needsKey = (op.operation.security as unknown[]).length > 0;
      if (needsKey !== (fn.authLevel !== 'anonymous')) problems.push(`${op.id}: documented ${needsKey ? 'with' : 'without'} a key, registered ${fn.authLevel}`);
      return problems;
    });
    expect(wrong).toEqual([]);
  });

  /** The path with each parameter filled in, and the JSON or bytes the operation's body takes. */
  function probe(op: DocumentedOperation, body: 'empty-object' | 'wrong-shape'): { url: string; init: RequestInit } {
    const path = op.path.replace(/\{\w+\}/g, 'probe-value');
    const content = Object.keys((op.operation.requestBody?.content ?? {}) as object);
    const headers: Record<string, string> = { 'x-functions-key': functionKey };
    let payload: string | Uint8Array | undefined;
    if (content.includes('application/json')) {
      headers['content-type'] = 'application/json';
      payload = body === 'empty-object' ? '{}' : '{"unexpected":[1,"two",{"three":null}]}';
    } else if (content[0]) {
      headers['content-type'] = content[0];
      payload = body === 'empty-object' ? new Uint8Array() : new Uint8Array([255, 1, 2, 3]);
    }
    return { url: `${host.url}/api${path}`, init: { method: op.method, headers, ...(payload === undefined ? {} : { body: payload }) } };
  }

  async function answered(url: string, init: RequestInit): Promise<{ status: number; body: string; contentType: string | null }> {
    const response = await fetch(url, init);
    return { status: response.status, body: await response.text(), contentType: response.headers.get('content-type') };
  }

  it('answers bad input on every route with a status the document lists, and the body documented for it', async () => {
    const undocumented: string[] = [];
    for (const op of documentedOperations(document)) {
      const statuses = documentedStatuses(document, op.id);
      for (const kind of ['empty-object', 'wrong-shape'] as const) {
        const { url, init } = probe(op, kind);
        const { status, body, contentType } = await answered(url, init);
        if (!statuses.includes(status)) undocumented.push(`${op.id} ${op.method} ${op.path} (${kind}): ${status} ${body.slice(0, 300)}`);
        // And the body is the one documented for that status (the error body, or Connect's for rpc).
        else undocumented.push(...answerProblems(document, op.id, status, contentType, contentType?.includes('json') ? JSON.parse(body) : body));
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('answers 401 without the key on every route that needs one, and says so', async () => {
    const keyed = documentedOperations(document).filter((op) => (op.operation.security as unknown[]).length > 0);
    expect(keyed.length).toBeGreaterThan(40);
    const wrong: string[] = [];
    for (const op of keyed) {
      const { url, init } = probe(op, 'empty-object');
      const { status } = await answered(url, { ...init, headers: { ...(init.headers as Record<string, string>), 'x-functions-key': 'wrong' } });
      if (status !== 401 || !documentedStatuses(document, op.id).includes(401)) wrong.push(`${op.id}: ${status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers 415 to a form body on every state-changing route, and says so', async () => {
    const changing = documentedOperations(document).filter((op) => op.method !== 'GET');
    const wrong: string[] = [];
    for (const op of changing) {
      const { url, init } = probe(op, 'empty-object');
      const { status } = await answered(url, { ...init, headers: { 'x-functions-key': functionKey, 'content-type': 'text/plain' }, body: 'a=1' });
      if (status !== 415 || !documentedStatuses(document, op.id).includes(415)) wrong.push(`${op.id}: ${status}`);
    }
    expect(wrong).toEqual([]);
  });
});
