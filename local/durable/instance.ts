import type { HistoryEvent, OrchestratorAction, RetryPolicy } from './history.js';

/**
 * One orchestration instance as the local backend holds it: its history, the events waiting to
 * be replayed, and the task book (which sequence number stands for which scheduled task).
 */
export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated';

export const terminal: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);

/** A scheduled task the orchestrator waits for, by its sequence number. */
export interface TaskRecord {
  seq: number;
  kind: 'activity' | 'sub' | 'timer';
  name?: string;
  input?: unknown;
  fireAt?: string;
  childId?: string;
  /** The retry chain (callActivityWithRetry / callSubOrchestratorWithRetry) this task belongs to. */
  chain?: number;
  /** Index in the orchestrator's action list, to honour a timer's cancellation. */
  actionIndex?: number;
}

export interface RetryChain {
  id: number;
  kind: 'activity' | 'sub';
  name: string;
  input: unknown;
  policy: RetryPolicy;
  /** The attempt the orchestrator will make next (the SDK's attemptNumber). */
  attempt: number;
}

/**
 * How delivering an event allocates sequence numbers inside the replay engine: a failed attempt
 * of a retried task makes it track a backoff timer, and that timer firing makes it track the
 * next attempt (unless attempts are used up). Those ids come from the same counter as new tasks.
 */
export type RetryAllocation = { chain: number; allocates: 'timer' | 'attempt' | 'nothing' };

export interface InboxItem {
  key: string;
  event: HistoryEvent;
  retry?: RetryAllocation;
}

export interface ParentLink {
  instanceId: string;
  execution: number;
  seq: number;
}

export interface Instance {
  id: string;
  name: string;
  execution: number;
  input: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  status: RuntimeStatus;
  output: unknown;
  customStatus: unknown;
  parent?: ParentLink;
  history: HistoryEvent[];
  inbox: InboxItem[];
  received: number;
  nextSequence: number;
  actionCount: number;
  tasks: Map<number, TaskRecord>;
  chains: Map<number, RetryChain>;
  lastActions: OrchestratorAction[];
  processing?: Promise<void>;
}

/** The outcome a finished task (activity or sub-orchestration) reports to its orchestrator. */
export interface TaskOutcome {
  output?: unknown;
  error?: Error;
}

/** An instance before anything has happened to it. */
export function blankInstance(identity: Pick<Instance, 'id' | 'name' | 'execution' | 'input' | 'createdTime' | 'parent'>): Instance {
  return {
    ...identity,
    lastUpdatedTime: identity.createdTime,
    status: 'Pending',
    output: null,
    customStatus: null,
    history: [],
    inbox: [],
    received: 0,
    nextSequence: 0,
    actionCount: 0,
    tasks: new Map(),
    chains: new Map(),
    lastActions: [],
  };
}

/** What an ended instance tells its parent. */
export function outcomeOf(instance: Instance): TaskOutcome {
  return instance.status === 'Completed' ? { output: instance.output } : { error: new Error(String(instance.output)) };
}
