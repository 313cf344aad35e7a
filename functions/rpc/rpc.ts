import { createConnectRouter, createContextValues } from '@connectrpc/connect';
import * as df from 'durable-functions';
import { maxRpcMessageBytes } from '../../shared/platform/rpc.js';
import { serveUnary, unaryHandlers } from '../../shared/platform/rpc-http.js';
import { runStarterKey } from '../../shared/pipelines/rpc.js';
import { arborRoutes, rpcRouterOptions } from './routes.js';
import { describeRoute } from '../../shared/platform/api/route-contract.js';
import { z } from 'zod';

const router = createConnectRouter(rpcRouterOptions);
arborRoutes(router);
const handlers = unaryHandlers(router);

/** The Connect protocol's error body, which its errors answer instead of Arbor's. */
const connectError = z.object({ code: z.string(), message: z.string() });

describeRoute('rpc', [
  {
    method: 'POST',
    path: 'rpc/{service}/{method}',
    summary: 'A unary RPC over the Connect protocol (proto/arbor/*): protobuf or JSON in and out',
    params: { service: z.string(), method: z.string() },
    body: { content: { 'application/proto': 'binary', 'application/json': 'json' }, required: true },
    responses: {
      200: { description: 'The response message', content: { 'application/proto': 'binary', 'application/json': 'json' } },
      400: { description: 'A bad message (Connect error)', schema: connectError },
      404: { description: 'No such service or method (Connect error)', schema: connectError },
      409: { description: 'A conflict (Connect error)', schema: connectError },
      413: { description: 'The message is over the limit (Connect error)', schema: connectError },
    },
  },
]);

/**
 * The unary RPCs over the Connect protocol on the Function App (`POST
 * /api/rpc/arbor.features.v1.FeatureService/GetOnlineFeatures`), for apps in Azure where Flex
 * Consumption gives the worker no HTTP/2; the function key is checked as on every route.
 */
df.app.client.http('rpc', {
  methods: ['POST'],
  route: 'rpc/{service}/{method}',
  authLevel: 'function',
  handler: async (request, client) => {
    const length = Number(request.headers.get('content-length') ?? 0);
    if (length > maxRpcMessageBytes) {
      return { status: 413, jsonBody: { code: 'resource_exhausted', message: `the message is ${length} bytes; the limit is ${maxRpcMessageBytes}` } };
    }
    const headers = new Headers([...request.headers]);
    // The key may come as ?code=; the vector fan-out forwards it from the header.
    const code = request.query.get('code');
    if (code && !headers.has('x-functions-key')) headers.set('x-functions-key', code);
    const response = await serveUnary(handlers, {
      service: request.params.service ?? '',
      method: request.params.method ?? '',
      url: request.url,
      headers,
      body: new Uint8Array(await request.arrayBuffer()),
      // The Functions host bounds an invocation by its own timeout; it gives the worker no abort signal.
      signal: new AbortController().signal,
      contextValues: createContextValues().set(runStarterKey, client),
    });
    return { status: response.status, headers: response.headers, body: response.body };
  },
});
