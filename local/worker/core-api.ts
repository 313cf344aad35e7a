import type { FunctionCallback, HookCallback, ProgrammingModel, RpcFunctionMetadata, RpcLogLevel } from './rpc.js';

export interface CapturedFunction {
  metadata: RpcFunctionMetadata;
  callback: FunctionCallback;
}

class Disposable {
  #dispose: (() => void) | undefined;
  constructor(dispose: () => void) {
    this.#dispose = dispose;
  }
  dispose(): void {
    this.#dispose?.();
    this.#dispose = undefined;
  }
}

export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation' | 'log';

/**
 * What the Functions Node worker hands @azure/functions as the module "@azure/functions-core":
 * it receives every registration, the programming model and the hooks. Arbor's local host
 * keeps them here and serves them.
 */
export class CoreApi {
  readonly version = '3.10.1-arbor-local';
  readonly hostVersion = '4.1000.0';
  readonly Disposable = Disposable;
  readonly functions = new Map<string, CapturedFunction>();
  readonly hooks = new Map<HookName, HookCallback[]>();
  #programmingModel: ProgrammingModel | undefined;

  constructor(private readonly onLog: (level: RpcLogLevel, message: string) => void = () => {}) {}

  registerFunction = (metadata: RpcFunctionMetadata, callback: FunctionCallback): Disposable => {
    if (this.functions.has(metadata.name)) {
      throw new Error(`A function with the name "${metadata.name}" has already been registered.`);
    }
    this.functions.set(metadata.name, { metadata, callback });
    return new Disposable(() => this.functions.delete(metadata.name));
  };

  setProgrammingModel = (model: ProgrammingModel): void => {
    this.#programmingModel = model;
  };

  getProgrammingModel = (): ProgrammingModel | undefined => this.#programmingModel;

  registerHook = (name: string, callback: HookCallback): Disposable => {
    const known: readonly string[] = ['appStart', 'appTerminate', 'preInvocation', 'postInvocation', 'log'];
    if (!known.includes(name)) throw new RangeError(`Unrecognized hook "${name}"`);
    const list = this.hooks.get(name as HookName) ?? [];
    list.push(callback);
    this.hooks.set(name as HookName, list);
    return new Disposable(() => {
      const index = list.indexOf(callback);
      if (index >= 0) list.splice(index, 1);
    });
  };

  log = (level: RpcLogLevel, _category: string, message: string): void => {
    this.onLog(level, message);
  };

  programmingModel(): ProgrammingModel {
    if (!this.#programmingModel) throw new Error('the app registered no programming model (did it import @azure/functions?)');
    return this.#programmingModel;
  }

  async runHooks(name: HookName, context: Record<string, unknown>): Promise<void> {
    for (const hook of this.hooks.get(name) ?? []) await hook(context);
  }
}
