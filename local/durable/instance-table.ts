import type { HistoryEvent } from './history.js';
import { terminal, type Instance, type RuntimeStatus } from './instance.js';
import type { InstanceLog } from './instance-log.js';
import { restoreInstance } from './instance-record.js';

export interface InstanceStatus {
  name: string;
  instanceId: string;
  createdTime: string;
  lastUpdatedTime: string;
  input: unknown;
  output: unknown;
  runtimeStatus: RuntimeStatus;
  customStatus: unknown;
  history?: HistoryEvent[];
}

/**
 * The current execution of every instance this host knows, by instance id. An execution that
 * continued as new, or was purged, is no longer current: work still finishing for it must not
 * touch the instance, which is what `isLive` tells it.
 */
export class InstanceTable {
  readonly #instances = new Map<string, Instance>();

  /** Reads every stored instance; returns the unfinished ones, to be resumed. */
  async load(store: InstanceLog): Promise<Instance[]> {
    const resumable: Instance[] = [];
    for await (const stored of store.loadAll()) {
      const instance = restoreInstance(stored);
      if (!instance) continue;
      this.#instances.set(instance.id, instance);
      if (!terminal.has(instance.status)) resumable.push(instance);
    }
    return resumable;
  }

  get(instanceId: string): Instance | undefined {
    return this.#instances.get(instanceId);
  }

  /** Makes this execution the instance's current one. */
  adopt(instance: Instance): void {
    this.#instances.set(instance.id, instance);
  }

  forget(instanceId: string): void {
    this.#instances.delete(instanceId);
  }

  all(): Instance[] {
    return [...this.#instances.values()];
  }

  /** The instance's current execution, still running. */
  isLive(instance: Instance): boolean {
    return this.#instances.get(instance.id) === instance && !terminal.has(instance.status) && instance.status !== 'ContinuedAsNew';
  }

  status(instanceId: string, showHistory = false): InstanceStatus | undefined {
    const instance = this.#instances.get(instanceId);
    if (!instance) return undefined;
    return {
      name: instance.name,
      instanceId: instance.id,
      createdTime: instance.createdTime,
      lastUpdatedTime: instance.lastUpdatedTime,
      input: instance.input ?? null,
      output: instance.output ?? null,
      runtimeStatus: instance.status,
      customStatus: instance.customStatus ?? null,
      ...(showHistory ? { history: instance.history } : {}),
    };
  }

  list(): InstanceStatus[] {
    return [...this.#instances.keys()].map((id) => this.status(id) as InstanceStatus);
  }
}
