import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { fromJson, toJson } from '@bufbuild/protobuf';
import { ListValueSchema, type ListValue } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type HandlerContext } from '@connectrpc/connect';
import type { z } from 'zod';
import { asArborError, ValidationError, type ArborError } from './errors.js';
import { zodDetails } from './validation-errors.js';

/**
 * The edge between Arbor's error model and RPC status codes, shared by every service's handlers
 * (shared/<capability>/rpc.ts) whichever protocol carries them (gRPC, gRPC-Web, Connect).
 * The documented error body travels with the status as JSON in the `arbor-error` metadata
 * entry (a trailer in gRPC), so a client sees the same field and problem the HTTP API names.
 */

/** The header (gRPC: trailer) carrying the Arbor error body as JSON. */
export const errorMetadataKey = 'arbor-error';

/** Largest message either way: gRPC's customary 4 MiB (a 1,000-item upsert of 1,024 floats is ~4.1 MB as JSON, ~4 MB as protobuf is its ceiling). */
export const maxRpcMessageBytes = 4 * 1024 * 1024;

const codeOfStatus: Record<number, Code> = {
  400: Code.InvalidArgument,
  401: Code.Unauthenticated,
  403: Code.PermissionDenied,
  404: Code.NotFound,
  408: Code.DeadlineExceeded,
  409: Code.FailedPrecondition,
  412: Code.FailedPrecondition,
  413: Code.ResourceExhausted,
  415: Code.InvalidArgument,
  422: Code.InvalidArgument,
  429: Code.ResourceExhausted,
  501: Code.Unimplemented,
  503: Code.Unavailable,
  504: Code.DeadlineExceeded,
};

/** The status code for an Arbor error: 409 is ALREADY_EXISTS when the error says so, else FAILED_PRECONDITION. */
export function rpcCodeOf(error: Pick<ArborError, 'status' | 'code'>): Code {
  if (error.status === 409 && /already_exists|exists/.test(error.code)) return Code.AlreadyExists;
  return codeOfStatus[error.status] ?? (error.status >= 500 ? Code.Internal : Code.InvalidArgument);
}

/** Anything thrown, as the ConnectError a client receives; our own bugs say no more than that. */
export function rpcError(error: unknown, context?: Pick<HandlerContext, 'signal'>): ConnectError {
  if (error instanceof ConnectError) return error;
  const known = asArborError(error);
  if (known) {
    // Header values are Latin-1: non-ASCII in a message is escaped by JSON.stringify's \u form.
    const body = JSON.stringify(known.toBody()).replace(/[\u007f-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
    return new ConnectError(known.message, rpcCodeOf(known), { [errorMetadataKey]: body });
  }
  if (context?.signal.aborted) return ConnectError.from(context.signal.reason ?? error, Code.Canceled);
  console.error('unhandled error in an RPC handler', error);
  return new ConnectError('unexpected error; the server log has the details', Code.Internal);
}

type Unary<I, O> = (request: I, context: HandlerContext) => Promise<O>;
type ServerStream<I, O> = (request: I, context: HandlerContext) => AsyncIterable<O>;
type ClientStream<I, O> = (requests: AsyncIterable<I>, context: HandlerContext) => Promise<O>;

/** A unary handler whose errors reach the client as status codes with the Arbor error body. */
export function unaryRpc<I, O>(handler: Unary<I, O>): Unary<I, O> {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      throw rpcError(error, context);
    }
  };
}

export function clientStreamRpc<I, O>(handler: ClientStream<I, O>): ClientStream<I, O> {
  return async (requests, context) => {
    try {
      return await handler(requests, context);
    } catch (error) {
      throw rpcError(error, context);
    }
  };
}

export function serverStreamRpc<I, O>(handler: ServerStream<I, O>): ServerStream<I, O> {
  return async function* (request, context) {
    try {
      yield* handler(request, context);
    } catch (error) {
      throw rpcError(error, context);
    }
  };
}

/** `map<string, google.protobuf.ListValue>` as the JSON columns the HTTP API takes: `{ driver_id: [1, 2] }`. */
export function columnsOf(map: Readonly<Record<string, ListValue>>): Record<string, JsonValue[]> {
  return Object.fromEntries(Object.entries(map).map(([name, list]) => [name, toJson(ListValueSchema, list) as JsonValue[]]));
}

export function listValueOf(values: readonly JsonValue[]): ListValue {
  return fromJson(ListValueSchema, values as JsonValue[]);
}

/** Proto3 has no "unset" for scalars: an empty string or zero means the caller left it out. */
export function given<T extends string | number>(value: T): T | undefined {
  return value === '' || value === 0 ? undefined : value;
}

/** A JSON value as the JsonObject a `google.protobuf.Struct` field takes (undefined for null). */
export function structOf(value: unknown): JsonObject | undefined {
  return value === null || value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as JsonObject);
}

/** A message turned into the HTTP API's JSON body, checked by the same schema: a 400 (INVALID_ARGUMENT) naming every bad field. */
export function validBody<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (!result.success) throw new ValidationError(zodDetails(result.error.issues));
  return result.data;
}

/** One field of a message checked by a schema: a 400 naming it. */
export function validField<Schema extends z.ZodType>(field: string, schema: Schema, value: unknown): z.output<Schema> {
  const result = schema.safeParse(value);
  if (!result.success) throw new ValidationError(zodDetails(result.error.issues, field));
  return result.data;
}
