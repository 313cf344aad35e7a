import { z } from 'zod';
import { errorBodySchema } from './error-body-schema.js';
import type { BodyShape, OperationContract, ResponseContract, RouteContract } from './route-contract.js';

/** A JSON Schema (draft 2020-12, the dialect of OpenAPI 3.1) as plain JSON. */
export type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: Array<{ url: string }>;
  paths: Record<string, Record<string, JsonSchema>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, JsonSchema> };
  /** A plain JSON value: what validators and generators take. */
  [field: string]: unknown;
}

const errorRef = { $ref: '#/components/schemas/Error' };
const stateChanging = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The answers any route may give beside its own, each in the one error body. */
function commonResponses(contract: RouteContract, operation: OperationContract): Record<number, string> {
  const hasInput = Boolean(operation.params || operation.query || operation.body || operation.headers);
  const responses: Record<number, string> = {};
  if (hasInput) responses[400] = 'Bad input, naming each field and its problem; nothing changed';
  if (contract.authLevel === 'function') responses[401] = 'The function key (x-functions-key or ?code=) is missing or wrong';
  if (stateChanging.has(operation.method)) {
    responses[403] = "Refused at the edge: the request came from another site's page";
    responses[415] = 'Refused at the edge: the body is not of a type this route takes';
  }
  if (operation.body) responses[413] = 'The body is over the size limit';
  responses[500] = 'Our bug (internal_error, naming the invocation) or a stored document of the wrong shape (corrupt_document)';
  responses[503] = 'A dependency does not answer (dependency_unavailable) or a setting is missing (not_configured), naming it';
  return responses;
}

/** A zod schema as the JSON Schema of what a caller sends or receives (defaults make fields optional). */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

function shapeSchema(shape: BodyShape): JsonSchema {
  if (shape === 'json') return { type: 'object' };
  if (shape === 'binary') return { type: 'string', contentEncoding: 'binary' };
  if (shape === 'text') return { type: 'string' };
  return jsonSchemaOf(shape);
}

function responseObject(response: ResponseContract): JsonSchema {
  const content = response.content
    ? Object.fromEntries(Object.entries(response.content).map(([type, shape]) => [type, { schema: shapeSchema(shape) }]))
    : { 'application/json': { schema: response.schema ? jsonSchemaOf(response.schema) : { type: 'object' } } };
  const headers = response.headers
    ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
    : {};
  return { description: response.description, ...headers, content };
}

function requestBody(body: NonNullable<OperationContract['body']>): JsonSchema {
  if (body instanceof z.ZodType) return { required: true, content: { 'application/json': { schema: jsonSchemaOf(body) } } };
  return { required: body.required, content: Object.fromEntries(Object.entries(body.content).map(([type, shape]) => [type, { schema: shapeSchema(shape) }])) };
}

/** Optional when the schema takes a missing value: the handler reads an absent parameter as undefined. */
const takesAbsence = (schema: z.ZodType) => schema.safeParse(undefined).success;

function parameters(operation: OperationContract): JsonSchema[] {
  const inPath = [...operation.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);
  const described = Object.keys(operation.params ?? {});
  if (inPath.join() !== described.join()) {
    throw new Error(`${operation.method} ${operation.path}: the path has {${inPath.join('}, {')}}, the contract describes ${described.join(', ') || 'none'}`);
  }
  return [
    ...Object.entries(operation.params ?? {}).map(([name, schema]) => ({ name, in: 'path', required: true, schema: jsonSchemaOf(schema) })),
    ...Object.entries(operation.query ?? {}).map(([name, schema]) => ({ name, in: 'query', required: !takesAbsence(schema), schema: jsonSchemaOf(schema) })),
    ...Object.entries(operation.headers ?? {}).map(([name, header]) => ({
      name,
      in: 'header',
      required: !takesAbsence(header.schema),
      description: header.description,
      schema: jsonSchemaOf(header.schema),
    })),
  ];
}

function operationObject(contract: RouteContract, operation: OperationContract): JsonSchema {
  const responses: Record<string, JsonSchema> = {};
  for (const [status, description] of Object.entries(commonResponses(contract, operation))) {
    responses[status] = { description, content: { 'application/json': { schema: errorRef } } };
  }
  for (const [status, response] of Object.entries(operation.responses)) {
    const isError = Number(status) >= 400 && !response.schema && !response.content;
    responses[status] = isError ? { description: response.description, content: { 'application/json': { schema: errorRef } } } : responseObject(response);
  }
  const params = parameters(operation);
  return {
    operationId: operation.operationId ?? contract.function,
    summary: operation.summary,
    tags: [operation.path.split('/')[0] as string],
    'x-arbor-function': contract.function,
    security: contract.authLevel === 'anonymous' ? [] : [{ functionKey: [] }, { functionKeyQuery: [] }],
    ...(params.length ? { parameters: params } : {}),
    ...(operation.body ? { requestBody: requestBody(operation.body) } : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b))),
  };
}

/**
 * The OpenAPI 3.1 document of the HTTP functions described: every operation with its
 * parameters, body and answers, schemas taken from the zod schemas the handlers validate with.
 */
export function openApiDocument(contracts: readonly RouteContract[], version: string): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  for (const contract of contracts) {
    for (const operation of contract.operations) {
      const path = `/${operation.path}`;
      const method = operation.method.toLowerCase();
      const entry = (paths[path] ??= {});
      if (entry[method]) throw new Error(`${operation.method} ${path} is described twice`);
      const object = operationObject(contract, operation);
      if (operationIds.has(object.operationId as string)) throw new Error(`the operation id "${String(object.operationId)}" is used twice`);
      operationIds.add(object.operationId as string);
      entry[method] = object;
    }
  }
  const sortedPaths = Object.fromEntries(
    Object.entries(paths)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([path, methods]) => [path, Object.fromEntries(Object.entries(methods).sort(([a], [b]) => a.localeCompare(b)))]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Arbor',
      version,
      description: 'The HTTP API of the Arbor Function App. Every error answers the one error body (components.schemas.Error).',
    },
    servers: [{ url: '/api' }],
    paths: sortedPaths,
    components: {
      schemas: { Error: jsonSchemaOf(errorBodySchema) },
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
      },
    },
  };
}
