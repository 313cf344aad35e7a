import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { EgressRefusedError, redactedUrl, type EgressPolicy } from './egress.js';

export interface EgressRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** The caller's cancellation (a step's timeout); the call also stops at `timeoutMs`. */
  signal?: AbortSignal;
  timeoutMs: number;
  /** Bytes of the body kept; the rest is not read. */
  maxBodyBytes: number;
  maxRedirects?: number;
}

export interface EgressResponse {
  status: number;
  contentType: string;
  text: string;
  truncated: boolean;
  /** The URL that answered, redacted (no query, no credentials). */
  url: string;
}

/** Headers a caller may not set: they would let a call pose as another host or smuggle a body. */
const reservedHeaders = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'upgrade', 'te', 'trailer', 'proxy-authorization']);

export function reservedHeaderIn(headers: Record<string, string>): string | undefined {
  return Object.keys(headers).find((name) => reservedHeaders.has(name.toLowerCase()));
}

/**
 * One outbound call under an egress policy: every hop (redirects are followed by hand, at most
 * `maxRedirects`) is checked by name before and by resolved address at connect time; the body
 * is read up to a size cap and the whole call up to a deadline.
 */
export async function egressFetch(policy: EgressPolicy, call: EgressRequest): Promise<EgressResponse> {
  const deadline = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, deadline]) : deadline;
  let url = new URL(call.url);
  let method = call.method;
  let body = call.body;
  const headers = { ...call.headers };
  for (let hop = 0; ; hop++) {
    const problem = policy.urlProblem(url);
    if (problem) throw new EgressRefusedError(`${method} ${redactedUrl(url)} refused: ${problem}`);
    const response = await send(policy, url, method, headers, body, signal, call.timeoutMs);
    const location = response.headers.location;
    if (response.statusCode && [301, 302, 303, 307, 308].includes(response.statusCode) && location) {
      response.resume();
      if (hop >= (call.maxRedirects ?? 5)) throw new Error(`${method} ${redactedUrl(url)}: more than ${call.maxRedirects ?? 5} redirects`);
      const next = new URL(location, url);
      // A redirect to another origin must not carry the caller's credentials along.
      if (next.origin !== url.origin) {
        for (const name of Object.keys(headers)) if (/^(authorization|cookie)$/i.test(name)) delete headers[name];
      }
      if (response.statusCode === 303 || ((response.statusCode === 301 || response.statusCode === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
        for (const name of Object.keys(headers)) if (/^content-type$/i.test(name)) delete headers[name];
      }
      url = next;
      continue;
    }
    const { text, truncated } = await readCapped(response, call.maxBodyBytes, signal);
    return { status: response.statusCode ?? 0, contentType: String(response.headers['content-type'] ?? ''), text, truncated, url: redactedUrl(url) };
  }
}

function send(
  policy: EgressPolicy,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup: policy.lookup, signal, timeout: timeoutMs },
      resolve,
    );
    request.once('error', (error) => {
      if (signal.aborted) return reject(abortReason(signal, url, method, timeoutMs));
      if (error instanceof EgressRefusedError) return reject(new EgressRefusedError(`${method} ${redactedUrl(url)} refused: ${error.message}`));
      reject(new Error(`${method} ${redactedUrl(url)} failed: ${error.message}`));
    });
    request.once('timeout', () => request.destroy(new Error(`${method} ${redactedUrl(url)}: no answer in ${timeoutMs} ms`)));
    request.end(body);
  });
}

function abortReason(signal: AbortSignal, url: URL, method: string, timeoutMs: number): unknown {
  const reason: unknown = signal.reason;
  if (reason instanceof DOMException && reason.name === 'TimeoutError') return new Error(`${method} ${redactedUrl(url)}: no answer in ${timeoutMs} ms`);
  return reason;
}

/** Reads at most `limit` bytes and drops the rest unread. */
async function readCapped(response: IncomingMessage, limit: number, signal: AbortSignal): Promise<{ text: string; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.byteLength;
      if (size > limit) {
        truncated = true;
        break;
      }
    }
  } finally {
    response.destroy();
  }
  signal.throwIfAborted();
  // A cut in the middle of a UTF-8 character decodes to U+FFFD; drop it.
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
  return { text: truncated ? text.replace(/\uFFFD$/, '') : text, truncated };
}
