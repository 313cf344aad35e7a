import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { ErrorBody } from '../../shared/platform/errors.js';
import type { CapturedFunction, CoreApi } from '../worker/core-api.js';
import { invokeCaptured, type ExtraInputResolver, type InvocationLogger } from '../worker/invoke.js';
import { triggerOf, type RpcHttpData, type RpcParameterBinding } from '../worker/rpc.js';
import { writeHttpResult } from './http-result.js';
import { isAuthorized, presentedKey, type AuthLevel } from './function-keys.js';
import { matchRoute, parseRouteTemplate, type RouteTemplate } from './route-template.js';

export interface HttpRoute {
  fn: CapturedFunction;
  triggerName: string;
  route: RouteTemplate;
  methods: ReadonlySet<string>;
  authLevel: AuthLevel;
}

/** Reads the request body, at most the host's limit; called only once the caller is let in. */
export type BodyReader = () => Promise<Buffer>;

/**
 * A handler the host itself serves (admin, durable webhooks); returns false to pass the request
 * on. It checks its key before it reads the body.
 */
export type HostEndpoint = (request: IncomingMessage, response: ServerResponse, url: URL, readBody: BodyReader) => Promise<boolean>;

export interface HttpServerOptions {
  api: CoreApi;
  routes: readonly HttpRoute[];
  functionKey: string | undefined;
  log: InvocationLogger;
  resolveExtraInput?: ExtraInputResolver;
  hostEndpoints?: readonly HostEndpoint[];
  /** Azure refuses request bodies over 100 MB. */
  maxBodyBytes?: number;
}

const routePrefix = '/api';

export function buildHttpRoutes(functions: Iterable<CapturedFunction>): HttpRoute[] {
  const routes: HttpRoute[] = [];
  for (const fn of functions) {
    const { name, binding } = triggerOf(fn.metadata);
    if (binding.type !== 'httpTrigger') continue;
    const template = typeof binding.route === 'string' && binding.route ? binding.route : fn.metadata.name;
    const methods = Array.isArray(binding.methods) && binding.methods.length
      ? (binding.methods as string[]).map((m) => m.toUpperCase())
      : ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
    const authLevel = (typeof binding.authLevel === 'string' ? binding.authLevel.toLowerCase() : 'function') as AuthLevel;
    routes.push({ fn, triggerName: name, route: parseRouteTemplate(template), methods: new Set(methods), authLevel });
  }
  return routes.sort((a, b) => b.route.precedence - a.route.precedence);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function hostError(code: string, message: string, details: ErrorBody['error']['details'] = []): ErrorBody {
  return { error: { code, message, details } };
}

/** An answer that ends a request early: thrown by a body reader, sent by the server. */
export class HostRefusal extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
  ) {
    super(body.error.message);
  }
}

export function unauthorized(message: string): HostRefusal {
  return new HostRefusal(401, hostError('unauthorized', message, [{ field: 'x-functions-key', problem: 'is missing or wrong' }]));
}

/** How long a client still sending a refused body has to read the answer before the connection goes. */
const unreadBodyGraceMs = 2_000;

/**
 * Sends an error answer without reading the body, so an unauthenticated 90 MB upload costs the
 * host no memory. A connection closed at once while the client still sends is reset, and a reset
 * can discard the answer before the client reads it; so the client gets a moment to read it,
 * then the connection goes, however much of the body is still coming.
 */
export function sendRefusal(request: IncomingMessage, response: ServerResponse, refusal: HostRefusal, headers: Record<string, string> = {}): void {
  sendJson(response, refusal.status, refusal.body, headers);
  if (request.complete) return;
  const socket = request.socket;
  response.once('finish', () => {
    const timer = setTimeout(() => {
      if (!request.complete) socket.destroy();
    }, unreadBodyGraceMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
}

function bodyReader(request: IncomingMessage, limit: number): BodyReader {
  let read: Promise<Buffer> | undefined;
  const tooLarge = (size: string) => new HostRefusal(413, hostError('payload_too_large', `request body ${size} is over the ${limit}-byte limit`, [{ field: '(body)', problem: `is over ${limit} bytes` }]));
  return () =>
    (read ??= (async () => {
      const declared = Number(request.headers['content-length'] ?? 0);
      if (declared > limit) throw tooLarge(`of ${declared} bytes`);
      // Not `for await`: leaving it early destroys the socket, and the 413 with it.
      return new Promise<Buffer>((resolve, reject) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const stop = () => {
          request.off('data', onData).off('end', onEnd).off('error', onError);
        };
        const onData = (chunk: Buffer) => {
          size += chunk.length;
          if (size <= limit) return void chunks.push(chunk);
          stop();
          request.pause();
          reject(tooLarge(`of more than ${limit} bytes`));
        };
        const onEnd = () => {
          stop();
          resolve(Buffer.concat(chunks));
        };
        const onError = (error: Error) => {
          stop();
          reject(error);
        };
        request.on('data', onData).on('end', onEnd).on('error', onError);
      });
    })());
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * Serves every captured HTTP function under /api, the way the Functions host does: route
 * templates, methods, function keys, and the request handed to the app's programming model.
 * The key is checked before the body is read.
 */
export function createHttpHandler(options: HttpServerOptions): RequestListener {
  const maxBodyBytes = options.maxBodyBytes ?? 100 * 1024 * 1024;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const baseUrl = `http://${request.headers.host ?? '127.0.0.1'}`;
    const url = new URL(request.url ?? '/', baseUrl);
    const readBody = bodyReader(request, maxBodyBytes);

    for (const endpoint of options.hostEndpoints ?? []) {
      if (await endpoint(request, response, url, readBody)) return;
    }

    const path = url.pathname;
    if (path !== routePrefix && !path.startsWith(`${routePrefix}/`)) {
      throw new HostRefusal(404, hostError('route_not_found', `no route for ${path}; functions are served under ${routePrefix}/`));
    }
    const method = (request.method ?? 'GET').toUpperCase();
    const candidates = options.routes
      .map((route) => ({ route, params: matchRoute(route.route, path.slice(routePrefix.length)) }))
      .filter((c): c is { route: HttpRoute; params: Record<string, string> } => c.params !== undefined);
    const match = candidates.find((c) => c.route.methods.has(method));
    if (!match) {
      if (candidates.length) {
        const allowed = [...new Set(candidates.flatMap((c) => [...c.route.methods]))].join(', ');
        sendRefusal(request, response, new HostRefusal(405, hostError('method_not_allowed', `${method} is not allowed on ${path}; use ${allowed}`)), { allow: allowed });
        return;
      }
      throw new HostRefusal(404, hostError('route_not_found', `no function serves ${method} ${path}`));
    }

    const { route, params } = match;
    if (!isAuthorized(route.authLevel, options.functionKey, presentedKey(request.headers, url))) {
      throw unauthorized('this function needs a key: send the x-functions-key header or ?code=');
    }
    const body = await readBody();

    const query: Record<string, string> = {};
    for (const [key, value] of url.searchParams) query[key] ??= value;
    const http: RpcHttpData = {
      method,
      url: url.toString(),
      headers: flattenHeaders(request),
      query,
      params,
      body: body.length ? { bytes: body } : null,
    };
    const inputData: RpcParameterBinding[] = [{ name: route.triggerName, data: { http } }];

    try {
      await invokeCaptured(options.api, route.fn, { inputData, triggerMetadata: {} }, options.log, options.resolveExtraInput, (result) => writeHttpResult(response, result));
    } catch (error) {
      if (response.headersSent) throw error;
      // As in Azure, an exception escaping the handler is a bare 500; only its log has details.
      options.log(route.fn.metadata.name, '-', 'error', `unhandled: ${error instanceof Error ? error.stack : String(error)}`);
      sendJson(response, 500, hostError('internal_error', `function "${route.fn.metadata.name}" failed; see the host log`));
      return;
    }
  }

  return (request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (error instanceof HostRefusal) {
        if (!response.headersSent) sendRefusal(request, response, error);
        else response.end();
        return;
      }
      options.log('host', '-', 'error', `request failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) {
        sendJson(response, 500, hostError('internal_error', 'the function failed; see the host log'));
      } else {
        response.end();
      }
    });
  };
}

export function createHttpServer(options: HttpServerOptions): Server {
  return createServer(createHttpHandler(options));
}
