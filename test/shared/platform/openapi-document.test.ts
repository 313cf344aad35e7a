import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorBodySchema } from '../../../shared/platform/api/error-body-schema.js';
import { openApiDocument } from '../../../shared/platform/api/openapi-document.js';
import type { RouteContract } from '../../../shared/platform/api/route-contract.js';
import { openApiPaths } from '../../../shared/platform/api/route-paths.js';
import { ConflictError, NotFoundError, ValidationError, type ErrorBody } from '../../../shared/platform/errors.js';

const thingName = z.string().regex(/^[a-z]+$/);

const contracts: RouteContract[] = [
  {
    function: 'get-things',
    authLevel: 'function',
    operations: [
      { method: 'GET', path: 'things', operationId: 'list-things', summary: 'all', responses: { 200: { description: 'the things' } } },
      {
        method: 'GET',
        path: 'things/{name}',
        summary: 'one',
        params: { name: thingName },
        query: { limit: z.coerce.number().int().default(5), mode: z.enum(['a', 'b']) },
        responses: { 200: { description: 'the thing', schema: z.object({ name: z.string() }) }, 404: { description: 'none' } },
      },
    ],
  },
  {
    function: 'put-thing',
    authLevel: 'anonymous',
    operations: [{ method: 'PUT', path: 'things/{name}', summary: 'put', params: { name: thingName }, body: z.strictObject({ size: z.number().default(1) }), responses: { 201: { description: 'made' } } }],
  },
];

describe('the OpenAPI document', () => {
  const document = openApiDocument(contracts, '9.9.9');

  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(document);
    expect(result).toEqual({ valid: true });
    expect(document.openapi).toBe('3.1.0');
  });

  it('says what each parameter takes, and which are required', () => {
    const parameters = document.paths['/things/{name}']?.get?.parameters as Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
    expect(parameters.map(({ name, in: place, required }) => [name, place, required])).toEqual([
      ['name', 'path', true],
      ['limit', 'query', false],
      ['mode', 'query', true],
    ]);
    expect(parameters[0]?.schema).toEqual({ type: 'string', pattern: '^[a-z]+$' });
    expect(parameters[2]?.schema).toEqual({ type: 'string', enum: ['a', 'b'] });
  });

  it('adds the answers every route may give, each with the one error body', () => {
    const get = document.paths['/things/{name}']?.get as { responses: Record<string, { content: Record<string, { schema: unknown }> }> };
    expect(Object.keys(get.responses)).toEqual(['200', '400', '401', '404', '500', '503']);
    expect(get.responses['404']?.content['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
    const put = document.paths['/things/{name}']?.put as { responses: Record<string, unknown>; security: unknown[] };
    // A state-changing route is guarded at the edge (403, 415) and takes a body (413); an anonymous one needs no key (no 401).
    expect(Object.keys(put.responses)).toEqual(['201', '400', '403', '413', '415', '500', '503']);
    expect(put.security).toEqual([]);
    const list = document.paths['/things']?.get as { responses: Record<string, unknown> };
    expect(Object.keys(list.responses)).toEqual(['200', '401', '500', '503']);
  });

  it("documents a body with defaults as what a caller may send: defaulted fields are optional", () => {
    const put = document.paths['/things/{name}']?.put as { requestBody: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> } };
    expect(put.requestBody.required).toBe(true);
    const schema = put.requestBody.content['application/json']?.schema;
    expect(schema?.required).toBeUndefined();
    expect(schema?.additionalProperties).toBe(false);
  });

  it("describes the error body errors.ts answers", () => {
    const bodies: ErrorBody[] = [
      new ValidationError([{ field: 'a.b', problem: 'is wrong' }]).toBody(),
      new NotFoundError('thing', 'x').toBody(),
      new ConflictError('no', [{ field: 'state', problem: 'is running' }]).toBody(),
    ];
    for (const body of bodies) expect(errorBodySchema.safeParse(body).success, JSON.stringify(body)).toBe(true);
    expect(errorBodySchema.safeParse({ error: { code: 'x', message: 'y' } }).success).toBe(false);
    // One shape: details is a list, never an object of its own.
    expect(errorBodySchema.safeParse({ error: { code: 'x', message: 'y', details: { state: 'running' } } }).success).toBe(false);
  });

  it('refuses a contract whose path and parameters disagree, or an operation id used twice', () => {
    const mismatched: RouteContract = { function: 'bad', authLevel: 'function', operations: [{ method: 'GET', path: 'things/{id}', summary: 's', params: { name: thingName }, responses: {} }] };
    expect(() => openApiDocument([mismatched], '1')).toThrow('the path has {id}, the contract describes name');
    const twice: RouteContract = { function: 'get-things', authLevel: 'function', operations: [{ method: 'POST', path: 'other', summary: 's', responses: {} }] };
    expect(() => openApiDocument([...contracts, twice], '1')).toThrow('the operation id "get-things" is used twice');
  });
});

describe('a Functions route template as OpenAPI paths', () => {
  it('serves a path with and without its optional parameter, a catch-all as a parameter, constraints dropped', () => {
    expect(openApiPaths('datasets/{name?}')).toEqual(['datasets', 'datasets/{name}']);
    expect(openApiPaths('models/{name}/versions/{version?}')).toEqual(['models/{name}/versions', 'models/{name}/versions/{version}']);
    expect(openApiPaths('rag/documents/{*id}')).toEqual(['rag/documents/{id}']);
    expect(openApiPaths('/items/{n:int}/')).toEqual(['items/{n}']);
    expect(openApiPaths('health')).toEqual(['health']);
  });
});
