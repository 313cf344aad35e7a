import Module from 'node:module';
import type { CoreApi } from './core-api.js';

const coreModuleName = '@azure/functions-core';
let installed: CoreApi | undefined;

/**
 * Makes `require('@azure/functions-core')` return the local host's CoreApi, as the real worker
 * does. @azure/functions is CommonJS and looks the module up once, lazily, so this must run
 * before the app's first `app.*` call. One app per process, as in the worker.
 */
export function installCoreModule(api: CoreApi): void {
  if (installed) {
    if (installed !== api) throw new Error('a different @azure/functions-core is already installed in this process');
    return;
  }
  installed = api;
  const prototype = Module.prototype as unknown as { require: (id: string) => unknown };
  const originalRequire = prototype.require;
  prototype.require = function (this: unknown, id: string) {
    if (id === coreModuleName) return installed;
    return originalRequire.call(this, id);
  };
}
