import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Cookie, HttpResponse, HttpResponseInit } from '@azure/functions';

/**
 * Writes an HTTP function's result to the caller the way the Functions host does with
 * `app.setup({ enableHttpStream: true })`: the library's own HttpResponse reads the result, and
 * a streamed body goes out chunk by chunk as the function produces it. The library's stream proxy
 * cannot be used here (it listens on every interface, and this host binds loopback only), so the
 * local host writes the response itself. A body whose length is known is sent whole, with a
 * Content-Length; a stream is sent chunked, and stops being read when the caller goes away.
 */
export async function writeHttpResult(response: ServerResponse, result: unknown): Promise<void> {
  if (result === undefined || result === null) {
    response.writeHead(204).end();
    return;
  }
  const Response = await libraryHttpResponse();
  const answer: HttpResponse = result instanceof Response ? result : new Response(result as HttpResponseInit);
  const headers: Record<string, string | string[]> = {};
  const connectionHeaders = new Set((answer.headers.get('connection') ?? '').split(',').map((name) => name.trim().toLowerCase()));
  for (const [name, value] of answer.headers.entries()) {
    if (!hopByHop.has(name) && !connectionHeaders.has(name)) headers[name] = value;
  }
  if (answer.cookies.length) headers['set-cookie'] = answer.cookies.map(serializeCookie);

  if (!isStream(result)) {
    const body = Buffer.from(await answer.arrayBuffer());
    // writeHead renders the headers at once, so Node cannot add the length at end(): without
    // it the answer would go out chunked. 204 and 304 carry no body, and so no length.
    if (answer.status !== 204 && answer.status !== 304) headers['content-length'] = String(body.length);
    response.writeHead(answer.status, headers);
    response.end(body.length ? body : undefined);
    return;
  }
  response.writeHead(answer.status, headers);
  response.flushHeaders();
  await pipeBody(answer, response);
}

type Library = typeof import('@azure/functions');
let httpResponseClass: Promise<Library['HttpResponse']> | undefined;

/**
 * Loaded when the first answer is written: by then the app has loaded the library with the
 * host's core module installed, and this is the same module instance. Once: a dynamic import
 * per answer cost a module-map lookup and a promise per request (bench/invocation).
 * The library is CommonJS, and Node finds no named HttpResponse export in its bundle.
 */
function libraryHttpResponse(): Promise<Library['HttpResponse']> {
  httpResponseClass ??= import('@azure/functions').then((library) => (library as unknown as { default: Library }).default.HttpResponse);
  return httpResponseClass;
}

/** Headers of one connection, which a proxy does not pass on (RFC 9110 section 7.6.1). */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade']);

function isStream(result: unknown): boolean {
  const body = (result as { body?: unknown }).body;
  if (body === null || body === undefined || typeof body === 'string') return false;
  if (body instanceof ReadableStream) return true;
  if (ArrayBuffer.isView(body) || body instanceof ArrayBuffer || body instanceof Blob || body instanceof URLSearchParams || body instanceof FormData) return false;
  return typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function';
}

async function pipeBody(answer: HttpResponse, response: ServerResponse): Promise<void> {
  const reader = answer.body?.getReader();
  if (!reader) {
    response.end();
    return;
  }
  // A caller that hangs up cancels the body, so the function's producer stops its work.
  const cancel = () => void reader.cancel().catch(() => {});
  response.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || response.destroyed) break;
      if (!response.write(value)) await Promise.race([once(response, 'drain'), once(response, 'close')]);
    }
    response.end();
  } catch (error) {
    // The status line has gone: cutting the connection is the only way left to say the body is incomplete.
    response.destroy(error instanceof Error ? error : new Error(String(error)));
  } finally {
    response.off('close', cancel);
  }
}

function serializeCookie(cookie: Cookie): string {
  const parts = [`${cookie.name}=${cookie.value}`];
  if (cookie.path) parts.push(`Path=${cookie.path}`);
  if (cookie.domain) parts.push(`Domain=${cookie.domain}`);
  if (cookie.expires !== undefined) parts.push(`Expires=${new Date(cookie.expires).toUTCString()}`);
  if (cookie.maxAge !== undefined) parts.push(`Max-Age=${cookie.maxAge}`);
  if (cookie.secure) parts.push('Secure');
  if (cookie.httpOnly) parts.push('HttpOnly');
  if (cookie.sameSite) parts.push(`SameSite=${cookie.sameSite}`);
  return parts.join('; ');
}
