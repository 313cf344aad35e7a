import { z } from 'zod';
import { egressFetch, reservedHeaderIn } from '../../platform/egress-fetch.js';
import { createEgressPolicy } from '../../platform/egress.js';
import { isTransientStatus, PermanentStepError } from '../step-errors.js';
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
    'Returns the status and the body: parsed when JSON, otherwise text cut at 8 KB. Only hosts in ' +
    'ARBOR_EGRESS_ALLOW are reached, never internal addresses unless an address entry allows them; ' +
    'redirects are re-checked at every hop; the call carries `Idempotency-Key: <run>/<step>/<attempt>`.',
  input: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'must be an http or https URL' }).max(2_048),
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']).default('GET'),
    headers: z
      .record(z.string().min(1).max(256), z.string().max(8_192))
      .refine((headers) => !reservedHeaderIn(headers), { error: (issue) => `header ${reservedHeaderIn(issue.input as Record<string, string>)} may not be set` })
      .optional(),
    /** A string is sent as is; anything else as JSON. */
    body: z.unknown().optional(),
    expectStatus: z.union([status, z.array(status).min(1)]).optional(),
  }),
  run: async (input, context) => {
    const sendsBody = input.body !== undefined && input.method !== 'GET' && input.method !== 'HEAD';
    const json = sendsBody && typeof input.body !== 'string';
    const { settings } = context.services;
    const response = await egressFetch(createEgressPolicy(settings.ARBOR_EGRESS_ALLOW), {
      url: input.url,
      method: input.method,
      headers: {
        ...(json ? { 'content-type': 'application/json' } : {}),
        // A host that dies mid-call re-delivers the step: the receiver can drop the repeat.
        'idempotency-key': `${context.runId}/${context.stepId}/${context.attempt}`,
        ...input.headers,
      },
      body: sendsBody ? (json ? JSON.stringify(input.body) : (input.body as string)) : undefined,
      signal: context.signal,
      timeoutMs: settings.ARBOR_HTTP_CALL_TIMEOUT_SECONDS * 1000,
      maxBodyBytes,
    });
    const expected = input.expectStatus === undefined ? [] : [input.expectStatus].flat();
    const ok = response.status >= 200 && response.status < 300;
    if (expected.length ? !expected.includes(response.status) : !ok) {
      const wanted = expected.length ? expected.join(' or ') : '2xx';
      const message = `${input.method} ${response.url} answered ${response.status} (expected ${wanted}): ${response.text.slice(0, 200)}`;
      // A 4xx says the request itself is wrong; asking again the same way gets the same answer.
      throw isTransientStatus(response.status) ? new Error(message) : new PermanentStepError(message);
    }
    if (!response.truncated && /^application\/(?:[\w.+-]+\+)?json\b/i.test(response.contentType) && response.text.length) {
      try {
        return { status: response.status, body: JSON.parse(response.text) as unknown };
      } catch {
        // Says JSON but is not: hand back the text.
      }
    }
    return { status: response.status, body: response.text, ...(response.truncated ? { truncated: true } : {}) };
  },
});
