import type { CapturedFunction, CoreApi } from '../worker/core-api.js';
import { invokeCaptured, type ExtraInputResolver, type InvocationLogger } from '../worker/invoke.js';
import { triggerOf, type RpcTypedData } from '../worker/rpc.js';
import { fromTypedData } from '../worker/typed-data.js';

/**
 * Calls a captured orchestrator or activity with its trigger data; resolves to what it returned.
 * `extraInput` replaces the host's resolver for this call (an activity's own durable client).
 */
export type FunctionInvoker = (fn: CapturedFunction, trigger: RpcTypedData, extraInput?: ExtraInputResolver) => Promise<unknown>;

/**
 * Orchestrators and activities are invoked through the app's own programming model, as the
 * worker does, so hooks and extra inputs (the durable client of an activity) work as in Azure.
 */
export function functionInvoker(api: CoreApi, log: InvocationLogger, resolveExtraInput: ExtraInputResolver): FunctionInvoker {
  return async (fn, trigger, extraInput) => {
    const response = await invokeCaptured(
      api,
      fn,
      { inputData: [{ name: triggerOf(fn.metadata).name, data: trigger }], triggerMetadata: {} },
      log,
      extraInput ?? resolveExtraInput,
    );
    return fromTypedData(response.returnValue);
  };
}
