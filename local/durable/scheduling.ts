import {
  ActionType,
  EventType,
  event,
  failureFields,
  flattenActions,
  retryDelayMs,
  taskCompleted,
  type HistoryEvent,
  type OrchestratorAction,
} from './history.js';
import type { InboxItem, Instance, RetryAllocation, TaskOutcome, TaskRecord } from './instance.js';
import type { ReplayResult } from './replay.js';

/**
 * The task book, kept in step with the replay engine: which sequence number each new action,
 * retry and completion takes, the history events they add, and where an episode leaves the
 * instance. No I/O here: the backend records the result, then starts the tasks it names.
 */

/** Which functions the app registered, so an action naming another fails the orchestration. */
export interface RegisteredFunctions {
  hasActivity(name: string): boolean;
  hasOrchestrator(name: string): boolean;
}

/** What an episode adds: history events, and the tasks to start once the episode is recorded. */
export interface Scheduled {
  events: HistoryEvent[];
  tasks: TaskRecord[];
}

/** Replay batches keep at most one retry-related event, first, so sequence ids match the engine's. */
export function takeBatch(instance: Instance): InboxItem[] {
  const batch: InboxItem[] = [];
  for (const item of instance.inbox) {
    if (item.retry && batch.length) break;
    batch.push(item);
  }
  instance.inbox = instance.inbox.slice(batch.length);
  return batch;
}

/** A consumed completion settles its task (and a retry chain that succeeded). */
export function settle(instance: Instance, consumed: HistoryEvent): void {
  const id = consumed.TaskScheduledId ?? consumed.TimerId;
  if (typeof id !== 'number') return;
  const task = instance.tasks.get(id);
  instance.tasks.delete(id);
  const succeeded = consumed.EventType === EventType.TaskCompleted || consumed.EventType === EventType.SubOrchestrationInstanceCompleted;
  if (task?.chain !== undefined && succeeded) instance.chains.delete(task.chain);
}

/** The engine allocates retry ids while it processes the event, before any new task. */
export function allocateForRetry(instance: Instance, retry: RetryAllocation, now: Date, into: Scheduled): void {
  const chain = instance.chains.get(retry.chain);
  if (!chain) return;
  if (retry.allocates === 'timer') {
    const failedAttempt = chain.attempt++;
    const seq = instance.nextSequence++;
    const fireAt = new Date(now.getTime() + retryDelayMs(chain.policy, failedAttempt)).toISOString();
    const task: TaskRecord = { seq, kind: 'timer', fireAt, chain: chain.id };
    instance.tasks.set(seq, task);
    into.events.push(event(EventType.TimerCreated, { FireAt: fireAt }, now, seq));
    into.tasks.push(task);
  } else if (retry.allocates === 'attempt') {
    const seq = instance.nextSequence++;
    if (chain.kind === 'activity') {
      const task: TaskRecord = { seq, kind: 'activity', name: chain.name, input: chain.input, chain: chain.id };
      instance.tasks.set(seq, task);
      into.events.push(event(EventType.TaskScheduled, { Name: chain.name, Input: chain.input ?? null }, now, seq));
      into.tasks.push(task);
    } else {
      const task: TaskRecord = { seq, kind: 'sub', name: chain.name, input: chain.input, chain: chain.id, childId: `${instance.id}:${chain.id}:attempt${chain.attempt}` };
      instance.tasks.set(seq, task);
      into.events.push(event(EventType.SubOrchestrationInstanceCreated, { Name: chain.name, InstanceId: task.childId, Input: chain.input ?? null }, now, seq));
      into.tasks.push(task);
    }
  } else {
    instance.chains.delete(chain.id);
  }
}

/**
 * Takes the actions a replay returned: schedules the new ones, and sets the instance's status
 * (failed, continued as new, completed or running). Returns the next execution's input when
 * the orchestrator continues as new.
 */
export function applyReplay(instance: Instance, replay: ReplayResult, now: Date, registered: RegisteredFunctions, into: Scheduled): { continueWith?: { input: unknown } } {
  const actions = flattenActions(replay.state.actions);
  instance.lastActions = actions;
  const fresh = actions.slice(instance.actionCount);
  let failed = replay.failed;
  let continueWith: { input: unknown } | undefined;
  for (let index = 0; index < fresh.length; index++) {
    const action = fresh[index] as OrchestratorAction;
    const problem = scheduleAction(instance, action, instance.actionCount + index, now, registered, into);
    if (problem === 'continue') continueWith = { input: decodeActionInput(action.input) };
    else if (problem) {
      failed = new Error(problem);
      break;
    }
  }
  instance.actionCount = actions.length;
  instance.history.push(...into.events);
  instance.customStatus = replay.state.customStatus ?? instance.customStatus ?? null;
  instance.lastUpdatedTime = now.toISOString();

  if (failed) {
    instance.status = 'Failed';
    instance.output = `Orchestrator function '${instance.name}' failed: ${failed.message}`;
  } else if (continueWith) {
    instance.status = 'ContinuedAsNew';
  } else if (replay.state.isDone) {
    instance.status = 'Completed';
    instance.output = replay.state.output ?? null;
  } else {
    instance.status = 'Running';
  }
  return continueWith ? { continueWith } : {};
}

/** Turns one new action into history events and a task. Returns a problem, or 'continue'. */
function scheduleAction(
  instance: Instance,
  action: OrchestratorAction,
  actionIndex: number,
  now: Date,
  registered: RegisteredFunctions,
  into: Scheduled,
): string | 'continue' | undefined {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry: {
      const seq = instance.nextSequence++;
      const name = String(action.functionName);
      if (!registered.hasActivity(name)) return `activity function "${name}" is not registered`;
      const task: TaskRecord = { seq, kind: 'activity', name, input: action.input };
      if (action.actionType === ActionType.CallActivityWithRetry && action.retryOptions) {
        instance.chains.set(seq, { id: seq, kind: 'activity', name, input: action.input, policy: action.retryOptions, attempt: 1 });
        task.chain = seq;
      }
      instance.tasks.set(seq, task);
      into.events.push(event(EventType.TaskScheduled, { Name: name, Input: action.input ?? null }, now, seq));
      into.tasks.push(task);
      return undefined;
    }
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry: {
      const seq = instance.nextSequence++;
      const name = String(action.functionName);
      if (!registered.hasOrchestrator(name)) return `orchestrator function "${name}" is not registered`;
      const childId = action.instanceId || `${instance.id}:${seq}`;
      const task: TaskRecord = { seq, kind: 'sub', name, input: action.input, childId };
      if (action.actionType === ActionType.CallSubOrchestratorWithRetry && action.retryOptions) {
        instance.chains.set(seq, { id: seq, kind: 'sub', name, input: action.input, policy: action.retryOptions, attempt: 1 });
        task.chain = seq;
      }
      instance.tasks.set(seq, task);
      into.events.push(event(EventType.SubOrchestrationInstanceCreated, { Name: name, InstanceId: childId, Input: action.input ?? null }, now, seq));
      into.tasks.push(task);
      return undefined;
    }
    case ActionType.CreateTimer: {
      const seq = instance.nextSequence++;
      const fireAt = new Date(String(action.fireAt)).toISOString();
      const task: TaskRecord = { seq, kind: 'timer', fireAt, actionIndex };
      instance.tasks.set(seq, task);
      into.events.push(event(EventType.TimerCreated, { FireAt: fireAt }, now, seq));
      into.tasks.push(task);
      return undefined;
    }
    case ActionType.WaitForExternalEvent:
      return undefined;
    case ActionType.ContinueAsNew:
      return 'continue';
    default:
      return `action type ${action.actionType} (entities, durable HTTP) is not supported by the local durable backend`;
  }
}

/** JSON-encoded inputs (callActivity and continueAsNew encode strings) back to values. */
function decodeActionInput(input: unknown): unknown {
  if (typeof input !== 'string') return input ?? null;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

/** A task's outcome as the history event the engine expects; a retried task's failure starts its backoff. */
export function completionOf(instance: Instance, task: TaskRecord, outcome: TaskOutcome, now: Date): { event: HistoryEvent; retry?: RetryAllocation } {
  const chain = task.chain !== undefined ? instance.chains.get(task.chain) : undefined;
  const error = outcome.error;
  let completion: HistoryEvent;
  if (task.kind === 'activity') {
    completion = error
      ? event(EventType.TaskFailed, { TaskScheduledId: task.seq, ...failureFields(error) }, now)
      : taskCompleted(task.seq, outcome.output, now);
  } else {
    completion = error
      ? event(EventType.SubOrchestrationInstanceFailed, { TaskScheduledId: task.seq, ...failureFields(error) }, now)
      : event(EventType.SubOrchestrationInstanceCompleted, { TaskScheduledId: task.seq, Result: JSON.stringify(outcome.output ?? null) }, now);
  }
  return chain && error ? { event: completion, retry: { chain: chain.id, allocates: 'timer' } } : { event: completion };
}

/** A timer that fired; a retry's backoff timer makes the engine track the next attempt, if any is left. */
export function timerFiredOf(instance: Instance, task: TaskRecord, now: Date): { event: HistoryEvent; retry?: RetryAllocation } {
  const fired = event(EventType.TimerFired, { TimerId: task.seq, FireAt: task.fireAt }, now);
  const chain = task.chain !== undefined ? instance.chains.get(task.chain) : undefined;
  if (!chain) return { event: fired };
  return { event: fired, retry: { chain: chain.id, allocates: chain.attempt > chain.policy.maxNumberOfAttempts ? 'nothing' : 'attempt' } };
}
