import { app, type HttpRequest } from '@azure/functions';
import { edgeRefusal, jsonOnly } from '../../shared/platform/edge-policy.js';
import { json } from '../../shared/platform/http.js';
import { onnxContentType } from '../../shared/serving/requests.js';
import { protobufContentType } from '../../shared/vectors/shard-search-request.js';

/** Functions whose body is not JSON, and the type each takes instead. */
const nonJsonBodies: Readonly<Record<string, readonly string[]>> = {
  'search-shard': [protobufContentType],
  // The Connect protocol's unary bodies: protobuf or JSON.
  rpc: ['application/proto', 'application/json'],
  // The ONNX file itself, or JSON carrying it (base64) or naming a blob.
  'post-model-version': ['application/json', onnxContentType],
};

/**
 * The edge policy (shared/platform/edge-policy.ts) for every HTTP function, as an invocation
 * hook: hooks run in the Azure worker and in Arbor's local host alike, and a handler that never
 * reads its body (cancel, retry, snapshot) is guarded like one that does.
 */
app.hook.preInvocation((context) => {
  if (context.invocationContext.options.trigger.type !== 'httpTrigger') return;
  const request = context.inputs[0] as HttpRequest;
  const refusal = edgeRefusal(
    { method: request.method, url: request.url, header: (name) => request.headers.get(name) ?? undefined },
    nonJsonBodies[context.invocationContext.functionName] ?? jsonOnly,
  );
  if (refusal) context.functionHandler = () => json(refusal.status, refusal.toBody());
});
