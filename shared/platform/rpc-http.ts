import { Code, ConnectError, type ConnectRouter, type ContextValues, type Interceptor } from '@connectrpc/connect';
import type { UniversalHandler, UniversalServerResponse } from '@connectrpc/connect/protocol';
import { NotFoundError } from './errors.js';

/**
 * Serves a router's unary methods through a plain HTTP request/response (the Function App's
 * `POST /api/rpc/{service}/{method}` route, which has no HTTP/2 on Flex Consumption), with the
 * Connect protocol: `application/proto` or `application/json` bodies, errors as Connect's JSON
 * error with the matching HTTP status. Streaming methods need the HTTP/2 server.
 */
export interface RpcHttpRequest {
  service: string;
  method: string;
  url: string;
  headers: Headers;
  body: Uint8Array;
  signal: AbortSignal;
  contextValues?: ContextValues;
}

export interface RpcHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Uint8Array;
}

export function unaryHandlers(router: ConnectRouter): ReadonlyMap<string, UniversalHandler> {
  return new Map(router.handlers.filter((handler) => handler.method.methodKind === 'unary').map((handler) => [handler.requestPath, malformedAsInvalid(handler)]));
}

/**
 * Connect-ES reports bytes that do not parse as the request message as INTERNAL ("parse
 * binary: ..."), the code it also uses for a client failing to parse a response. On a server
 * they are the caller's mistake: INVALID_ARGUMENT (Connect: HTTP 400). Two places fix that:
 * - a streaming method (client or server streaming, any protocol) reads its messages through
 *   `malformedMessagesInvalid`, an interceptor that turns the parse failure into
 *   INVALID_ARGUMENT where it is thrown, so the handler stops and the protocol reports it;
 * - a unary method's message is parsed before any interceptor runs, so `malformedAsInvalid`
 *   rewrites the answer: gRPC's status trailer (or trailers-only header), Connect's unary error
 *   body, and gRPC-Web's trailer frame at the end of the body.
 */
const parseFailure = /^parse binary/;

function isParseFailure(error: unknown): error is ConnectError {
  return error instanceof ConnectError && error.code === Code.Internal && parseFailure.test(error.rawMessage);
}

async function* invalidOnParseFailure<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    if (isParseFailure(error)) throw new ConnectError(error.rawMessage, Code.InvalidArgument, error.metadata, undefined, error);
    throw error;
  }
}

export const malformedMessagesInvalid: Interceptor = (next) => (request) => (request.stream ? next({ ...request, message: invalidOnParseFailure(request.message) }) : next(request));

/** gRPC-Web's trailer frame (flag 0x80) says 13 for a parse failure: 3 instead. The body is a unary answer, at most one message. */
function grpcWebBodyFixed(body: Uint8Array): Uint8Array {
  const pieces: Uint8Array[] = [];
  let at = 0;
  while (at + 5 <= body.byteLength) {
    const flags = body[at] as number;
    const length = Buffer.from(body.buffer, body.byteOffset + at + 1, 4).readUInt32BE(0);
    const data = body.subarray(at + 5, at + 5 + length);
    let frame = body.subarray(at, at + 5 + length);
    if ((flags & 0x81) === 0x80) {
      const text = Buffer.from(data).toString('latin1');
      const message = /^grpc-message:\s*(.*)$/im.exec(text)?.[1] ?? '';
      if (/^grpc-status:\s*13\s*$/im.test(text) && parseFailure.test(decodeURIComponent(message))) {
        const fixed = Buffer.from(text.replace(/^grpc-status:\s*13\s*$/im, 'grpc-status: 3'), 'latin1');
        const header = Buffer.alloc(5);
        header[0] = flags;
        header.writeUInt32BE(fixed.byteLength, 1);
        frame = Buffer.concat([header, fixed]);
      }
    }
    pieces.push(frame);
    at += 5 + length;
  }
  if (at < body.byteLength) pieces.push(body.subarray(at));
  return Buffer.concat(pieces);
}

export function malformedAsInvalid(handler: UniversalHandler): UniversalHandler {
  const wrapped = async (request: Parameters<UniversalHandler>[0]): Promise<UniversalServerResponse> => {
    const response = await handler(request);
    const fixStatus = (headers: Headers | undefined) => {
      if (headers?.get('grpc-status') === '13' && parseFailure.test(decodeURIComponent(headers.get('grpc-message') ?? ''))) headers.set('grpc-status', '3');
    };
    fixStatus(response.header);
    const contentType = response.header?.get('content-type') ?? '';
    if (response.status === 500 && contentType.startsWith('application/json') && response.body) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of response.body) chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('utf8');
      const error = JSON.parse(text) as { code?: string; message?: string };
      if (error.code === 'internal' && parseFailure.test(error.message ?? '')) {
        const body = new TextEncoder().encode(JSON.stringify({ ...error, code: 'invalid_argument' }));
        response.header?.set('content-length', String(body.byteLength));
        return { ...response, status: 400, body: (async function* () { yield body; })() };
      }
      return { ...response, body: (async function* () { yield Buffer.from(text); })() };
    }
    const body = response.body;
    if (!body) return response;
    if (contentType.startsWith('application/grpc-web') && handler.method.methodKind === 'unary') {
      const chunks: Uint8Array[] = [];
      for await (const chunk of body) chunks.push(chunk);
      const fixed = grpcWebBodyFixed(Buffer.concat(chunks));
      if (response.header?.has('content-length')) response.header.set('content-length', String(fixed.byteLength));
      return { ...response, body: (async function* () { yield fixed; })() };
    }
    return {
      ...response,
      body: (async function* () {
        yield* body;
        fixStatus(response.trailer);
      })(),
    };
  };
  return Object.assign(wrapped, { requestPath: handler.requestPath, method: handler.method, service: handler.service, protocolNames: handler.protocolNames, allowedMethods: handler.allowedMethods, supportedContentType: handler.supportedContentType });
}

export async function serveUnary(handlers: ReadonlyMap<string, UniversalHandler>, request: RpcHttpRequest): Promise<RpcHttpResponse> {
  const path = `/${request.service}/${request.method}`;
  const handler = handlers.get(path);
  if (!handler) {
    const error = new NotFoundError('unary RPC', `${request.service}/${request.method}`);
    const body = new TextEncoder().encode(JSON.stringify({ code: 'unimplemented', message: error.message }));
    return { status: 404, headers: { 'content-type': 'application/json' }, body };
  }
  const response = await handler({
    httpVersion: '1.1',
    url: new URL(path, request.url).toString(),
    method: 'POST',
    header: request.headers,
    body: (async function* () {
      yield request.body;
    })(),
    signal: request.signal,
    ...(request.contextValues ? { contextValues: request.contextValues } : {}),
  });
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body ?? []) chunks.push(chunk);
  const headers: Record<string, string> = {};
  response.header?.forEach((value, name) => (headers[name] = value));
  // Connect's unary responses carry trailers as `trailer-` headers; the handler already did that.
  response.trailer?.forEach((value, name) => (headers[`trailer-${name}`] = value));
  return { status: response.status, headers, body: Buffer.concat(chunks) };
}
