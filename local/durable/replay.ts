import type { CapturedFunction } from '../worker/core-api.js';
import type { FunctionInvoker } from './function-invoker.js';
import type { HistoryEvent } from './history.js';
import type { Instance } from './instance.js';

/** The state the durable-functions replay engine returns: every action so far, and whether it is done. */
export interface OrchestratorState {
  isDone: boolean;
  actions: unknown;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

export interface ReplayResult {
  state: OrchestratorState;
  failed?: Error;
}

const outOfProcMarker = '$OutOfProcData$:';

/**
 * Replays an orchestrator over its whole history through the captured callback (the real
 * replay engine), with the trigger the Durable extension would send. A failing orchestrator
 * throws with its state after a marker; that state still carries the actions taken so far.
 */
export async function replayOrchestrator(invoke: FunctionInvoker, fn: CapturedFunction | undefined, instance: Instance, history: HistoryEvent[]): Promise<ReplayResult> {
  if (!fn) return { state: emptyState(), failed: new Error(`no orchestrator function named "${instance.name}"`) };
  const trigger = {
    history,
    input: instance.input ?? null,
    instanceId: instance.id,
    isReplaying: false,
    parentInstanceId: instance.parent?.instanceId ?? '',
    upperSchemaVersion: 0,
    // Timers up to this long are one task; the engine splits longer ones.
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };
  try {
    return { state: (await invoke(fn, { string: JSON.stringify(trigger) })) as OrchestratorState };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const marker = message.indexOf(outOfProcMarker);
    if (marker >= 0) {
      const state = JSON.parse(message.slice(marker + outOfProcMarker.length)) as OrchestratorState;
      return { state, failed: new Error(state.error ?? message.slice(0, marker).trim()) };
    }
    return { state: emptyState(), failed: error instanceof Error ? error : new Error(message) };
  }
}

function emptyState(): OrchestratorState {
  return { isDone: false, actions: [] };
}
