import { randomUUID } from 'node:crypto';
import type { CapturedFunction, CoreApi } from './core-api.js';
import type { RpcInvocationRequest, RpcInvocationResponse, RpcLogLevel, RpcTypedData } from './rpc.js';

/** Supplies the value of a non-trigger input binding (such as the durable client) for one invocation. */
export type ExtraInputResolver = (binding: { type: string; name: string }) => RpcTypedData | undefined;

export type InvocationLogger = (functionName: string, invocationId: string, level: RpcLogLevel, message: string) => void;

/**
 * Takes the handler's result instead of the RPC response, as the worker's HTTP stream proxy
 * does: the Functions host with streaming on receives an HTTP function's answer over the proxy,
 * and only its other outputs over RPC.
 */
export type ResultResponder = (result: unknown) => Promise<void>;

/**
 * Runs one invocation the way the Node worker does: the app's programming model turns the
 * wire request into the handler's arguments, hooks run around the handler, and the model turns
 * the result back into the wire response. The handler is the exact callback the app registered.
 */
export async function invokeCaptured(
  api: CoreApi,
  fn: CapturedFunction,
  request: RpcInvocationRequest,
  log: InvocationLogger,
  resolveExtraInput?: ExtraInputResolver,
  respond?: ResultResponder,
): Promise<RpcInvocationResponse> {
  const invocationId = randomUUID();
  const given = new Set(request.inputData.map((binding) => binding.name));
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (binding.direction !== 'in' || given.has(name) || typeof binding.type !== 'string') continue;
    if (binding.type.toLowerCase().endsWith('trigger')) continue;
    const data = resolveExtraInput?.({ type: binding.type, name });
    if (data) request = { ...request, inputData: [...request.inputData, { name, data }] };
  }
  const coreContext = {
    invocationId,
    request,
    metadata: fn.metadata,
    state: 'preInvocationHooks' as 'preInvocationHooks' | 'postInvocationHooks' | 'invocation',
    log: (level: RpcLogLevel, _category: string, message: string) => log(fn.metadata.name, invocationId, level, message),
  };
  const model = api.programmingModel().getInvocationModel(coreContext);
  const { context, inputs } = await model.getArguments();

  const hookData: Record<string, unknown> = {};
  const pre: Record<string, unknown> = { hookData, invocationContext: context, inputs, functionCallback: fn.callback };
  await api.runHooks('preInvocation', pre);

  coreContext.state = 'invocation';
  let result: unknown;
  let error: unknown;
  try {
    result = await model.invokeFunction(context, pre.inputs as unknown[], pre.functionCallback as typeof fn.callback);
  } catch (thrown) {
    error = thrown;
  }

  coreContext.state = 'postInvocationHooks';
  const post: Record<string, unknown> = { hookData, invocationContext: context, inputs: pre.inputs, result, error };
  await api.runHooks('postInvocation', post);
  if (post.error) throw post.error;
  if (!respond) return model.getResponse(context, post.result);
  await respond(post.result);
  return model.getResponse(context, undefined);
}
