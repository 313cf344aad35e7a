/**
 * Durable Task history events as the durable-functions replay engine reads them (PascalCase
 * JSON, as the extension sends them). Type numbers are the extension's; the package does not
 * export them. Completions match tasks by TaskScheduledId / TimerId: the order in which the
 * orchestrator's tasks were first tracked.
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionTerminated: 2,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
  ContinueAsNew: 16,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

/** The action types an orchestrator returns (durable-functions src/actions/ActionType.ts). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
} as const;

export interface RetryPolicy {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface OrchestratorAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  retryOptions?: RetryPolicy;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  compoundActions?: OrchestratorAction[];
}

export function event(type: number, fields: Record<string, unknown>, at: Date, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at.toISOString(), ...fields };
}

/** Completion and failure payloads as the extension encodes them. */
export function taskCompleted(scheduledId: number, result: unknown, at: Date): HistoryEvent {
  return event(EventType.TaskCompleted, { TaskScheduledId: scheduledId, Result: JSON.stringify(result ?? null) }, at);
}

export function failureFields(error: { message: string; stack?: string; name?: string }): Record<string, unknown> {
  return {
    Reason: error.message,
    Details: error.stack ?? error.message,
    FailureDetails: { ErrorType: error.name ?? 'Error', ErrorMessage: error.message, StackTrace: error.stack ?? null },
  };
}

/** Actions in order, with compound WhenAll/WhenAny expanded into their parts. */
export function flattenActions(actions: unknown): OrchestratorAction[] {
  const flat: OrchestratorAction[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!value || typeof value !== 'object') return;
    const action = value as OrchestratorAction;
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      (action.compoundActions ?? []).forEach(visit);
    } else {
      flat.push(action);
    }
  };
  visit(actions);
  return flat;
}

/** Backoff before retry number `attempt` (1 = the first retry), as Durable computes it. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const delay = policy.firstRetryIntervalInMilliseconds * Math.pow(policy.backoffCoefficient ?? 1, attempt - 1);
  return Math.min(delay, policy.maxRetryIntervalInMilliseconds ?? Number.MAX_SAFE_INTEGER);
}
