import { z } from 'zod';
import { defineStepType } from '../step-type.js';

/** Response bodies become step outputs, which travel through Durable histories: keep them small. */
// Half the 16 KB a step may output (execute-step.ts), leaving room for the rest of the output.
export const maxBodyBytes = 8 * 1024;

const status = z.int().min(100).max(599);

/** Calls an HTTP endpoint: a webhook, a refresh, a health check between steps. */
export const httpCallStep = defineStepType({
  name: 'http.call',
  description:
    'Calls an HTTP(S) endpoint and fails unless the status is the expected one (default: any 2xx). ' +
    'Returns the status and the body: parsed when JSON, otherwise text cut at 8 KB.',
  input: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    headers: z.record(z.string().min(1), z.string()).optional(),
    /** A string is sent as is; anything else as JSON. */
    body: z.unknown().optional(),
    expectStatus: z.union([status, z.array(status).min(1)]).optional(),
  }),
  run: async (input, context) => {
    const sendsBody = input.body !== undefined && input.method !== 'GET' && input.method !== 'HEAD';
    const json = sendsBody && typeof input.body !== 'string';
    let response: Response;
    try {
      response = await fetch(input.url, {
        method: input.method,
        headers: { ...(json ? { 'content-type': 'application/json' } : {}), ...input.headers },
        body: sendsBody ? (json ? JSON.stringify(input.body) : (input.body as string)) : undefined,
        signal: context.signal,
      });
    } catch (error) {
      context.signal.throwIfAborted();
      // fetch says only "fetch failed"; the reason (refused, DNS, TLS) is in its cause.
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : String(error);
      throw new Error(`${input.method} ${input.url} failed: ${cause}`);
    }
    const { text, truncated } = await readText(response, maxBodyBytes);
    const expected = input.expectStatus === undefined ? [] : [input.expectStatus].flat();
    if (expected.length ? !expected.includes(response.status) : !response.ok) {
      const wanted = expected.length ? expected.join(' or ') : '2xx';
      throw new Error(`${input.method} ${input.url} answered ${response.status} (expected ${wanted}): ${text.slice(0, 200)}`);
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!truncated && /^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType) && text.length) {
      try {
        return { status: response.status, body: JSON.parse(text) as unknown };
      } catch {
        // Says JSON but is not: hand back the text.
      }
    }
    return { status: response.status, body: text, ...(truncated ? { truncated: true } : {}) };
  },
});

/** Reads at most `limit` bytes of the body and drops the rest unread. */
async function readText(response: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  // A cut in the middle of a UTF-8 character decodes to U+FFFD; drop it.
  const text = new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
  return { text: truncated ? text.replace(/\uFFFD$/, '') : text, truncated };
}
