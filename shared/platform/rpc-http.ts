import type { ConnectRouter, ContextValues } from '@connectrpc/connect';
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
 * they are the caller's mistake: INVALID_ARGUMENT (Connect: HTTP 400). This rewrites that one
 * error, in gRPC's status trailer (or trailers-only header) and in Connect's unary error body.
 * gRPC-Web and Connect streaming put the status inside the body and keep INTERNAL.
 */
const parseFailure = /^parse binary/;

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
