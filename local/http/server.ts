import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ErrorBody } from '../../shared/platform/errors.js';
import type { CapturedFunction, CoreApi } from '../worker/core-api.js';
import { invokeCaptured, type ExtraInputResolver, type InvocationLogger } from '../worker/invoke.js';
import { triggerOf, type RpcHttpData, type RpcParameterBinding } from '../worker/rpc.js';
import { isAuthorized, presentedKey, type AuthLevel } from './function-keys.js';
import { matchRoute, parseRouteTemplate, type RouteTemplate } from './route-template.js';

export interface HttpRoute {
  fn: CapturedFunction;
  triggerName: string;
  route: RouteTemplate;
  methods: ReadonlySet<string>;
  authLevel: AuthLevel;
}

/** A handler the host itself serves (admin, durable webhooks); returns false to pass the request on. */
export type HostEndpoint = (request: IncomingMessage, response: ServerResponse, url: URL, body: Buffer) => Promise<boolean>;

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

class BodyTooLargeError extends Error {}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

function writeRpcHttp(response: ServerResponse, http: RpcHttpData | null | undefined): void {
  if (!http) {
    response.writeHead(204).end();
    return;
  }
  const headers: Record<string, string | string[]> = { ...(http.headers ?? {}) };
  const cookies = (http.cookies ?? []) as Array<Record<string, unknown>>;
  if (cookies.length) headers['set-cookie'] = cookies.map(serializeCookie);
  const body = http.body?.bytes ?? (http.body?.string != null ? Buffer.from(http.body.string) : undefined);
  response.writeHead(Number(http.statusCode ?? 200), headers);
  response.end(body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : undefined);
}

function serializeCookie(cookie: Record<string, unknown>): string {
  const parts = [`${String(cookie.name)}=${String(cookie.value ?? '')}`];
  const unwrap = (v: unknown) => (v && typeof v === 'object' && 'value' in v ? (v as { value: unknown }).value : v);
  const path = unwrap(cookie.path);
  const domain = unwrap(cookie.domain);
  const maxAge = unwrap(cookie.maxAge);
  if (path) parts.push(`Path=${String(path)}`);
  if (domain) parts.push(`Domain=${String(domain)}`);
  if (typeof maxAge === 'number') parts.push(`Max-Age=${maxAge}`);
  if (unwrap(cookie.secure)) parts.push('Secure');
  if (unwrap(cookie.httpOnly)) parts.push('HttpOnly');
  return parts.join('; ');
}

/**
 * Serves every captured HTTP function under /api, the way the Functions host does: route
 * templates, methods, function keys, and the request handed to the app's programming model.
 */
export function createHttpServer(options: HttpServerOptions): Server {
  const maxBodyBytes = options.maxBodyBytes ?? 100 * 1024 * 1024;
  const server = createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      options.log('host', '-', 'error', `request failed: ${error instanceof Error ? error.stack : String(error)}`);
      if (!response.headersSent) {
        sendJson(response, 500, hostError('internal_error', 'the function failed; see the host log'));
      } else {
        response.end();
      }
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const baseUrl = `http://${request.headers.host ?? '127.0.0.1'}`;
    const url = new URL(request.url ?? '/', baseUrl);
    let body: Buffer;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        sendJson(response, 413, hostError('payload_too_large', error.message));
        return;
      }
      throw error;
    }

    for (const endpoint of options.hostEndpoints ?? []) {
      if (await endpoint(request, response, url, body)) return;
    }

    const path = url.pathname;
    if (path !== routePrefix && !path.startsWith(`${routePrefix}/`)) {
      sendJson(response, 404, hostError('route_not_found', `no route for ${path}; functions are served under ${routePrefix}/`));
      return;
    }
    const method = (request.method ?? 'GET').toUpperCase();
    const candidates = options.routes
      .map((route) => ({ route, params: matchRoute(route.route, path.slice(routePrefix.length)) }))
      .filter((c): c is { route: HttpRoute; params: Record<string, string> } => c.params !== undefined);
    const match = candidates.find((c) => c.route.methods.has(method));
    if (!match) {
      if (candidates.length) {
        const allowed = [...new Set(candidates.flatMap((c) => [...c.route.methods]))].join(', ');
        sendJson(response, 405, hostError('method_not_allowed', `${method} is not allowed on ${path}; use ${allowed}`), { allow: allowed });
      } else {
        sendJson(response, 404, hostError('route_not_found', `no function serves ${method} ${path}`));
      }
      return;
    }

    const { route, params } = match;
    if (!isAuthorized(route.authLevel, options.functionKey, presentedKey(request.headers, url))) {
      sendJson(response, 401, hostError('unauthorized', 'this function needs a key: send the x-functions-key header or ?code=', [
        { field: 'x-functions-key', problem: 'is missing or wrong' },
      ]));
      return;
    }

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

    let result;
    try {
      result = await invokeCaptured(options.api, route.fn, { inputData, triggerMetadata: {} }, options.log, options.resolveExtraInput);
    } catch (error) {
      // As in Azure, an exception escaping the handler is a bare 500; only its log has details.
      options.log(route.fn.metadata.name, '-', 'error', `unhandled: ${error instanceof Error ? error.stack : String(error)}`);
      sendJson(response, 500, hostError('internal_error', `function "${route.fn.metadata.name}" failed; see the host log`));
      return;
    }
    writeRpcHttp(response, result.returnValue?.http);
  }

  return server;
}
