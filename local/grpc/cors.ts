import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { cors } from '@connectrpc/connect';

/** Headers a browser page may send besides the protocols' own: Arbor's two credentials. */
const credentialHeaders = ['X-Functions-Key', 'Authorization'];
/** How long a browser may reuse a preflight's answer (Chromium caps it at 2 hours). */
const preflightMaxAgeSeconds = 7_200;

export type CorsOutcome = 'answered' | 'continue';

/**
 * CORS for gRPC-Web and Connect from browser pages on the origins `allowed` lists (exact
 * `scheme://host[:port]`, or `*` for any). A preflight (OPTIONS with Access-Control-Request-Method)
 * is answered here: 204 with what the protocols need when the origin is allowed, 403 when it is
 * not. Any other request from an allowed origin gets Allow-Origin and the headers a client must
 * read (grpc-status, grpc-message, ...); one from another origin goes on without them, and the
 * browser keeps the answer from the page. Credentials travel in headers, never cookies, so
 * Allow-Credentials is not sent.
 */
export function applyCors(
  allowed: readonly string[],
  request: IncomingMessage | Http2ServerRequest,
  response: ServerResponse | Http2ServerResponse,
): CorsOutcome {
  const origin = request.headers.origin;
  if (allowed.length === 0 || typeof origin !== 'string') return 'continue';
  const permitted = allowed.includes('*') || allowed.includes(origin);
  const preflight = request.method === 'OPTIONS' && request.headers['access-control-request-method'] !== undefined;
  if (!permitted) {
    if (preflight) {
      response.writeHead(403, { 'content-type': 'text/plain', vary: 'Origin' });
      response.end(`origin ${origin} is not in ARBOR_GRPC_CORS_ORIGINS`);
      return 'answered';
    }
    return 'continue';
  }
  response.setHeader('access-control-allow-origin', allowed.includes('*') ? '*' : origin);
  response.setHeader('vary', 'Origin');
  if (preflight) {
    response.writeHead(204, {
      'access-control-allow-methods': cors.allowedMethods.join(', '),
      'access-control-allow-headers': [...cors.allowedHeaders, ...credentialHeaders].join(', '),
      'access-control-max-age': String(preflightMaxAgeSeconds),
    });
    response.end();
    return 'answered';
  }
  response.setHeader('access-control-expose-headers', cors.exposedHeaders.join(', '));
  return 'continue';
}
