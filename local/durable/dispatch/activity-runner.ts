import type { CapturedFunction } from '../../worker/core-api.js';
import type { ExtraInputResolver } from '../../worker/invoke.js';
import type { FunctionInvoker } from '../function-invoker.js';
import type { TaskOutcome } from '../instance.js';
import { Semaphore } from './semaphore.js';

/**
 * Runs activity functions, at most `maxConcurrent` at once as the extension's
 * maxConcurrentActivityFunctions does; the rest wait their turn in order.
 */
export class ActivityRunner {
  readonly #activities = new Map<string, CapturedFunction>();
  readonly #slots: Semaphore;

  constructor(
    activities: readonly CapturedFunction[],
    maxConcurrent: number,
    private readonly invoke: FunctionInvoker,
  ) {
    for (const fn of activities) this.#activities.set(fn.metadata.name, fn);
    this.#slots = new Semaphore(maxConcurrent);
  }

  has(name: string): boolean {
    return this.#activities.has(name);
  }

  /** Activities waiting for a slot. */
  get queued(): number {
    return this.#slots.queued;
  }

  /**
   * Runs the activity when a slot frees, unless `stillWanted` says by then that nobody waits for
   * it, and hands its outcome (a thrown error is the activity's failure) to `settle` before the
   * slot frees: recording outcomes is part of the bounded work, so a flood of finished
   * activities cannot pile up unrecorded. `extraInput` resolves this invocation's extra inputs.
   */
  run(name: string, input: unknown, stillWanted: () => boolean, settle: (outcome: TaskOutcome) => Promise<void>, extraInput?: ExtraInputResolver): Promise<void> {
    return this.#slots.run(async () => {
      if (!stillWanted()) return;
      const fn = this.#activities.get(name) as CapturedFunction;
      let outcome: TaskOutcome;
      try {
        // callActivity hands its input over JSON-encoded already.
        const json = typeof input === 'string' ? input : JSON.stringify(input ?? null);
        outcome = { output: await this.invoke(fn, { json }, extraInput) };
      } catch (error) {
        outcome = { error: error instanceof Error ? error : new Error(String(error)) };
      }
      await settle(outcome);
    });
  }
}
