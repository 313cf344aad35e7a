import { randomUUID } from 'node:crypto';
import type { HistoryEvent } from '../history.js';

/** Events one running activity raised to its own orchestration execution, not yet delivered. */
export interface HeldEvents {
  instanceId: string;
  execution: number;
  events: HistoryEvent[];
}

/**
 * Holds the events a running activity raises to the orchestration execution that scheduled it,
 * so that they reach the orchestrator in one episode with the activity's result instead of one
 * episode each. A pipeline step signals its run just before it returns (run-orchestrator.ts says
 * why), so without the hold every chain step costs two replays and three history appends; with
 * it, one and one (bench/pipelines counts both).
 *
 * Each activity invocation gets an unguessable token, carried by the durable client binding it
 * is handed (`raisedBy=` on the client's URLs); an event raised with a token this table does not
 * hold open, or for another instance or execution, is delivered as usual. A hold lasts at most
 * `maxHoldMs` from the first held event: an activity that raises and then waits for its
 * orchestrator to react is delivered to late, never dead-locked.
 */
export class OwnEventHold {
  readonly #open = new Map<string, HeldEvents & { timer?: NodeJS.Timeout }>();

  constructor(
    private readonly maxHoldMs: number,
    private readonly release: (held: HeldEvents) => void,
  ) {}

  /** A token for one activity invocation of this execution. */
  open(instanceId: string, execution: number): string {
    const token = randomUUID();
    this.#open.set(token, { instanceId, execution, events: [] });
    return token;
  }

  /** Keeps `event` with the activity's result when `token` is its activity's, still running. */
  hold(token: string | null | undefined, instanceId: string, execution: number, event: HistoryEvent): boolean {
    const entry = token ? this.#open.get(token) : undefined;
    if (!entry || entry.instanceId !== instanceId || entry.execution !== execution) return false;
    entry.events.push(event);
    entry.timer ??= setTimeout(() => {
      entry.timer = undefined;
      const events = entry.events.splice(0);
      if (events.length) this.release({ instanceId, execution, events });
    }, this.maxHoldMs);
    return true;
  }

  /** Ends the token's hold; returns what it held, to deliver with the activity's result. */
  close(token: string): HistoryEvent[] {
    const entry = this.#open.get(token);
    if (!entry) return [];
    this.#open.delete(token);
    clearTimeout(entry.timer);
    return entry.events;
  }

  /** Drops every hold: a stopping host runs the activities again when it resumes, and they raise again. */
  clear(): void {
    for (const entry of this.#open.values()) clearTimeout(entry.timer);
    this.#open.clear();
  }

  get size(): number {
    return this.#open.size;
  }
}
