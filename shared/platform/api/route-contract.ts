import type { z } from 'zod';

/** An HTTP method a route answers, as the Functions binding spells it. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One answer an operation gives: what it means, and the body's schema when it is JSON with a known shape. */
export interface ResponseContract {
  description: string;
  /**
   * The JSON body's shape. Without it (and without `content`) a success is documented as a JSON
   * object, and a 4xx or 5xx as the one error body.
   */
  schema?: z.ZodType;
  /** The body by media type, when it is not (only) JSON: Prometheus text, protobuf, server-sent events. */
  content?: Record<string, BodyShape>;
  /** Headers the answer carries, by name, with what each means. */
  headers?: Record<string, string>;
}

/** A body's shape: a schema, a JSON object not described further, or bytes or text. */
export type BodyShape = z.ZodType | 'json' | 'binary' | 'text';

/**
 * One operation of an HTTP function: a Functions route with an optional `{name?}` parameter
 * serves two operations (with and without it), each described on its own.
 */
export interface OperationContract {
  method: HttpMethod;
  /** Unique in the document; the function's name when left out (one operation per function). */
  operationId?: string;
  /** The OpenAPI path below /api, with every parameter required: `features/{view}`, not `{view?}`. */
  path: string;
  summary: string;
  /** Each `{param}` of the path, with the schema the handler validates it with. */
  params?: Record<string, z.ZodType>;
  /** Query parameters, each schema the one the handler's `queryParam` reads it with. */
  query?: Record<string, z.ZodType>;
  /** Request headers the operation reads, by name: their schema and whether they are required. */
  headers?: Record<string, { schema: z.ZodType; description: string }>;
  /** The body: its schema, by media type (application/json when only a schema is given). */
  body?: z.ZodType | { content: Record<string, BodyShape>; required: boolean };
  /**
   * The answers the handler gives, by status, beside those every route can give (the document
   * adds 401, 403, 415, 500 and 503 where they apply, and 400 where there is input).
   */
  responses: Record<number, ResponseContract>;
}

/** What an HTTP function promises, kept beside its registration in functions/. */
export interface RouteContract {
  /** The function's name: the first argument of its `app.http(...)`. */
  function: string;
  authLevel: 'anonymous' | 'function';
  operations: OperationContract[];
}

const contracts = new Map<string, RouteContract>();

/**
 * Records an HTTP function's contract. Called by the trigger file beside `app.http(...)`, so the
 * document is built from what the app loaded; a test checks the two agree.
 */
export function describeRoute(name: string, operations: OperationContract[], authLevel: RouteContract['authLevel'] = 'function'): void {
  if (contracts.has(name)) throw new Error(`the route contract of "${name}" is described twice`);
  contracts.set(name, { function: name, authLevel, operations });
}

/** Every contract described so far, by function name. */
export function describedRoutes(): RouteContract[] {
  return [...contracts.values()].sort((a, b) => a.function.localeCompare(b.function));
}
