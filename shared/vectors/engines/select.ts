import type { EngineChoice, EngineName, VectorEngine } from '../engine.js';
import { messageOf } from '../../platform/errors.js';

/**
 * Picks the engine: `native` (hnswlib-node) or `wasm` (hnswlib-wasm) by name, or `auto`: native
 * when its addon loads, else wasm. Each adapter is imported only when chosen, so the wasm shims
 * never touch a process that runs native.
 */
export async function loadEngine(name: EngineName): Promise<VectorEngine> {
  if (name === 'native') return (await import('./native.js')).loadNativeEngine();
  return (await import('./wasm.js')).loadWasmEngine();
}

/** Why the native engine is unavailable, or undefined when it loads. */
export async function nativeUnavailableReason(): Promise<string | undefined> {
  try {
    await loadEngine('native');
    return undefined;
  } catch (error) {
    return messageOf(error);
  }
}

const chosen = new Map<EngineChoice, Promise<VectorEngine>>();

export function selectEngine(choice: EngineChoice): Promise<VectorEngine> {
  let pending = chosen.get(choice);
  if (!pending) {
    pending = choice === 'auto' ? loadEngine('native').catch(() => loadEngine('wasm')) : loadEngine(choice);
    chosen.set(choice, pending);
    pending.catch(() => chosen.delete(choice));
  }
  return pending;
}
