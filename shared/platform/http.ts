import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { z } from 'zod';
import { asArborError, BadRequestError, ValidationError } from './errors.js';
import { maxJsonDepth, nestsDeeperThan } from './json-depth.js';
import { UnsupportedMediaTypeError } from './edge-policy.js';
import { zodDetails } from './validation-errors.js';

export type HttpHandlerFn = (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

/** Turns anything thrown into the documented error body; only ArborErrors say what went wrong. */
export function errorResponse(error: unknown, context: InvocationContext): HttpResponseInit {
  const known = asArborError(error);
  if (known) {
    if (known.status >= 500) context.warn(`${known.code}: ${known.message}`);
    return json(known.status, known.toBody());
  }
  context.error('unhandled error', error);
  return json(500, {
    error: {
      code: 'internal_error',
      message: `unexpected error; the logs of invocation ${context.invocationId} have the details`,
      details: [],
    },
  });
}

/** Wraps an HTTP handler so that errors become the documented JSON error response. */
export function httpHandler(handler: HttpHandlerFn): HttpHandlerFn {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error, context);
    }
  };
}

/** Like readJsonBody, but an empty body (no content) reads as `{}`. */
export async function readOptionalJsonBody<Schema extends z.ZodType>(request: HttpRequest, schema: Schema): Promise<z.output<Schema>> {
  const text = await request.text();
  if (text.trim() === '') return validate(schema, {});
  return parseJsonText(request, text, schema);
}

function validate<Schema extends z.ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(zodDetails(result.error.issues));
  return result.data;
}

/** Reads a JSON body and validates it: 400 naming the problem for the wrong type, bad JSON or bad fields. */
export async function readJsonBody<Schema extends z.ZodType>(
  request: HttpRequest,
  schema: Schema,
): Promise<z.output<Schema>> {
  return parseJsonText(request, await request.text(), schema);
}

function parseJsonText<Schema extends z.ZodType>(request: HttpRequest, text: string, schema: Schema): z.output<Schema> {
  const contentType = request.headers.get('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError('the body must be JSON (content-type: application/json)', contentType ? `is "${contentType}", expected application/json` : 'is missing');
  }
  if (text.trim() === '') {
    throw new BadRequestError('invalid_json', 'the body is empty; a JSON object is required', [
      { field: '(body)', problem: 'is empty' },
    ]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadRequestError('invalid_json', `the body is not valid JSON: ${reason}`, [
      { field: '(body)', problem: reason },
    ]);
  }
  if (nestsDeeperThan(parsed, maxJsonDepth)) {
    throw new BadRequestError('invalid_json', `the body nests deeper than ${maxJsonDepth} levels`, [
      { field: '(body)', problem: `nests objects or arrays deeper than ${maxJsonDepth} levels` },
    ]);
  }
  return validate(schema, parsed);
}

/** A route parameter that must be present and valid; the field is named in the 400. */
export function routeParam<Schema extends z.ZodType<string>>(
  request: HttpRequest,
  name: string,
  schema: Schema,
): z.output<Schema> {
  const raw = request.params[name];
  if (raw === undefined || raw === '') {
    throw new BadRequestError('missing_parameter', `the route parameter "${name}" is required`, [
      { field: name, problem: 'is required in the route' },
    ]);
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new ValidationError(zodDetails(result.error.issues, name));
  return result.data;
}

/** A query parameter, absent as undefined, validated by the schema: 400 naming it when wrong. */
export function queryParam<Schema extends z.ZodType>(request: HttpRequest, name: string, schema: Schema): z.output<Schema> {
  const result = schema.safeParse(request.query.get(name) ?? undefined);
  if (!result.success) throw new ValidationError(zodDetails(result.error.issues, `?${name}`));
  return result.data;
}

export const asyncQuery = z.enum(['true', 'false'], { error: 'must be "true" or "false"' }).optional();

/**
 * Whether the caller asked for a 202 and a job whatever the request's size: `?async=true`, or
 * `Prefer: respond-async` (RFC 7240). `?async=false` wins over the header.
 */
export function respondAsyncRequested(request: HttpRequest): boolean {
  const asked = queryParam(request, 'async', asyncQuery);
  if (asked !== undefined) return asked === 'true';
  return (request.headers.get('prefer') ?? '').split(',').some((preference) => preference.split(';')[0]?.trim().toLowerCase() === 'respond-async');
}
