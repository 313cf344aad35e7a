import type { CapturedFunction, CoreApi } from '../worker/core-api.js';
import { invokeCaptured, type ExtraInputResolver, type InvocationLogger } from '../worker/invoke.js';
import { triggerOf } from '../worker/rpc.js';
import { fromTypedData } from '../worker/typed-data.js';
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
  type RetryPolicy,
} from './history.js';
import type { InstanceLog, LogLine, StoredExecution } from './instance-log.js';
import { Semaphore } from './semaphore.js';

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated';

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

export class DurableRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A scheduled task the orchestrator waits for, by its sequence number. */
interface TaskRecord {
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

interface RetryChain {
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
type RetryAllocation = { chain: number; allocates: 'timer' | 'attempt' | 'nothing' };

interface InboxItem {
  key: string;
  event: HistoryEvent;
  retry?: RetryAllocation;
}

interface Instance {
  id: string;
  name: string;
  execution: number;
  input: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  status: RuntimeStatus;
  output: unknown;
  customStatus: unknown;
  parent?: { instanceId: string; execution: number; seq: number };
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

export interface DurableBackendOptions {
  api: CoreApi;
  functions: readonly CapturedFunction[];
  store: InstanceLog;
  log: InvocationLogger;
  maxConcurrentActivities: number;
  resolveExtraInput: ExtraInputResolver;
  now?: () => Date;
}

const terminal: ReadonlySet<RuntimeStatus> = new Set(['Completed', 'Failed', 'Terminated']);
const maxTimerWaitMs = 2_147_483_647;

/** JSON-encoded inputs (callActivity and continueAsNew encode strings) back to values. */
function decodeActionInput(input: unknown): unknown {
  if (typeof input !== 'string') return input ?? null;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}

/**
 * The local durable backend: it drives each orchestration with its event history through the
 * app's real durable-functions replay engine, runs the activities, timers, sub-orchestrations,
 * retries and external events its actions ask for, and records every step in blob storage first,
 * so a restarted host resumes every unfinished instance without re-running completed work.
 */
export class DurableBackend {
  readonly #instances = new Map<string, Instance>();
  readonly #orchestrators = new Map<string, CapturedFunction>();
  readonly #activities = new Map<string, CapturedFunction>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #activitySlots: Semaphore;
  readonly #inFlight = new Set<Promise<unknown>>();
  #stopped = false;
  readonly #now: () => Date;

  constructor(private readonly options: DurableBackendOptions) {
    for (const fn of options.functions) {
      const type = triggerOf(fn.metadata).binding.type;
      if (type === 'orchestrationTrigger') this.#orchestrators.set(fn.metadata.name, fn);
      if (type === 'activityTrigger') this.#activities.set(fn.metadata.name, fn);
    }
    this.#activitySlots = new Semaphore(options.maxConcurrentActivities);
    this.#now = options.now ?? (() => new Date());
  }

  get activityQueueDepth(): number {
    return this.#activitySlots.queued;
  }

  /** Loads every stored instance and resumes the unfinished ones. */
  async start(): Promise<void> {
    await this.options.store.init();
    const resumable: Instance[] = [];
    for await (const stored of this.options.store.loadAll()) {
      const instance = this.#restore(stored);
      if (!instance) continue;
      this.#instances.set(instance.id, instance);
      if (!terminal.has(instance.status)) resumable.push(instance);
    }
    for (const instance of resumable) this.#resume(instance);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    // Let work in progress record what it finished, so a restart repeats as little as possible.
    await Promise.allSettled([...this.#inFlight]);
    await Promise.allSettled([...this.#instances.values()].map((i) => i.processing));
  }

  // ---- client operations (the durable client's REST API) ----

  async startNew(name: string, instanceId: string | undefined, input: unknown): Promise<string> {
    if (!this.#orchestrators.has(name)) throw new DurableRequestError(404, `no orchestrator function named "${name}"`);
    const id = instanceId ?? crypto.randomUUID().replaceAll('-', '');
    const existing = this.#instances.get(id);
    if (existing && !terminal.has(existing.status)) {
      throw new DurableRequestError(409, `instance "${id}" already exists and is ${existing.status}`);
    }
    await this.#create({ id, name, input, execution: existing ? existing.execution + 1 : 1, carried: [] });
    return id;
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

  async raiseEvent(instanceId: string, name: string, data: unknown): Promise<void> {
    const instance = this.#instances.get(instanceId);
    if (!instance) throw new DurableRequestError(404, `no instance "${instanceId}"`);
    if (terminal.has(instance.status)) throw new DurableRequestError(410, `instance "${instanceId}" is ${instance.status}`);
    await this.#receive(instance, instance.execution, event(EventType.EventRaised, { Name: name, Input: JSON.stringify(data ?? null) }, this.#now()));
  }

  async terminate(instanceId: string, reason: string): Promise<void> {
    const instance = this.#instances.get(instanceId);
    if (!instance) throw new DurableRequestError(404, `no instance "${instanceId}"`);
    if (terminal.has(instance.status)) throw new DurableRequestError(410, `instance "${instanceId}" is already ${instance.status}`);
    await instance.processing;
    instance.status = 'Terminated';
    instance.output = reason;
    instance.lastUpdatedTime = this.#now().toISOString();
    instance.inbox = [];
    await this.options.store.append(instance.id, instance.execution, [
      { t: 'status', status: 'Terminated', output: reason, at: instance.lastUpdatedTime },
    ]);
    this.#notifyParent(instance, { error: new Error(`terminated: ${reason}`) });
  }

  async purge(instanceId: string): Promise<number> {
    const instance = this.#instances.get(instanceId);
    if (!instance) return 0;
    if (!terminal.has(instance.status)) {
      throw new DurableRequestError(400, `instance "${instanceId}" is ${instance.status}; only finished instances can be purged`);
    }
    this.#instances.delete(instanceId);
    return this.options.store.purge(instanceId);
  }

  // ---- instance lifecycle ----

  async #create(init: { id: string; name: string; input: unknown; execution: number; carried: InboxItem[]; parent?: Instance['parent'] }): Promise<Instance> {
    const now = this.#now().toISOString();
    const instance = blankInstance({ id: init.id, name: init.name, execution: init.execution, input: init.input, createdTime: now, parent: init.parent });
    const started = event(EventType.ExecutionStarted, { Name: init.name, Input: JSON.stringify(init.input ?? null) }, this.#now());
    const items: InboxItem[] = [{ key: 'r0', event: started }, ...init.carried.map((item, i) => ({ ...item, key: `r${i + 1}` }))];
    instance.received = items.length;
    instance.inbox = items;
    // Current before its log exists: the log serialises writes per instance, so an event
    // arriving now is appended after the creation, never to the previous execution.
    this.#instances.set(instance.id, instance);
    await this.options.store.create(instance.id, instance.execution, [
      { t: 'created', name: instance.name, input: instance.input ?? null, createdTime: now, parent: instance.parent ?? null },
      ...items.map((item): LogLine => ({ t: 'received', key: item.key, event: item.event })),
    ]);
    this.#kick(instance);
    return instance;
  }

  #restore(stored: StoredExecution): Instance | undefined {
    const [first, ...rest] = stored.lines;
    if (!first || first.t !== 'created') return undefined;
    const instance = blankInstance({
      id: stored.instanceId,
      name: String(first.name),
      execution: stored.execution,
      input: first.input,
      createdTime: String(first.createdTime),
      parent: (first.parent as Instance['parent']) ?? undefined,
    });
    for (const line of rest) {
      if (line.t === 'received') {
        instance.inbox.push({ key: String(line.key), event: line.event as HistoryEvent, retry: line.retry as RetryAllocation | undefined });
        instance.received++;
      } else if (line.t === 'episode') {
        const consumed = new Set(line.consumed as string[]);
        instance.inbox = instance.inbox.filter((item) => !consumed.has(item.key));
        instance.history.push(...(line.events as HistoryEvent[]));
        this.#applyBook(instance, line.book as Book);
        instance.status = line.status as RuntimeStatus;
        instance.output = line.output;
        instance.customStatus = line.customStatus;
        instance.lastUpdatedTime = String(line.at);
      } else if (line.t === 'status') {
        instance.status = line.status as RuntimeStatus;
        instance.output = line.output;
        instance.lastUpdatedTime = String(line.at);
      }
    }
    return instance;
  }

  /** After a restart: re-run what was in flight, re-arm timers, and replay what arrived. */
  #resume(instance: Instance): void {
    const answered = new Set<number>();
    for (const item of instance.inbox) {
      const id = item.event.TaskScheduledId ?? item.event.TimerId;
      if (typeof id === 'number') answered.add(id);
    }
    for (const task of instance.tasks.values()) {
      if (answered.has(task.seq)) continue;
      if (task.kind === 'activity') this.#dispatchActivity(instance, task);
      else if (task.kind === 'timer') this.#armTimer(instance, task);
      else if (task.kind === 'sub') this.#resumeChild(instance, task);
    }
    this.#kick(instance);
  }

  #resumeChild(parent: Instance, task: TaskRecord): void {
    const child = task.childId ? this.#instances.get(task.childId) : undefined;
    if (!child) {
      void this.#startChild(parent, task);
    } else if (terminal.has(child.status)) {
      this.#notifyParent(child, child.status === 'Completed' ? { output: child.output } : { error: new Error(String(child.output)) });
    }
  }

  // ---- receiving events ----

  async #receive(instance: Instance, execution: number, received: HistoryEvent, retry?: RetryAllocation): Promise<void> {
    const current = this.#instances.get(instance.id);
    if (current !== instance) {
      // An external event follows the instance into its next execution; results of tasks of
      // an execution that continued as new (or was purged) go nowhere.
      if (current && received.EventType === EventType.EventRaised) return this.#receive(current, current.execution, received);
      return;
    }
    if (instance.execution !== execution || terminal.has(instance.status) || instance.status === 'ContinuedAsNew') return;
    this.options.log(instance.name, instance.id, 'debug', `received event ${received.EventType} for task ${String(received.TaskScheduledId ?? received.TimerId ?? '-')}`);
    const key = `r${instance.received++}`;
    const line: LogLine = { t: 'received', key, event: received, ...(retry ? { retry } : {}) };
    await this.options.store.append(instance.id, instance.execution, [line]);
    if (!this.#isLive(instance)) {
      const now = this.#instances.get(instance.id);
      if (now && now !== instance && received.EventType === EventType.EventRaised) await this.#receive(now, now.execution, received);
      return;
    }
    instance.inbox.push({ key, event: received, retry });
    this.#kick(instance);
  }

  #kick(instance: Instance): void {
    if (instance.processing || this.#stopped || !instance.inbox.length) return;
    instance.processing = (async () => {
      // Yield first: the finally below must not run before `processing` is assigned.
      await null;
      try {
        while (instance.inbox.length && this.#isLive(instance) && !this.#stopped) {
          await this.#episode(instance);
        }
      } catch (error) {
        this.options.log(instance.name, instance.id, 'error', `durable backend failed: ${error instanceof Error ? error.stack : String(error)}`);
      } finally {
        instance.processing = undefined;
      }
    })();
  }

  /** The instance's current execution, still running. */
  #isLive(instance: Instance): boolean {
    return this.#instances.get(instance.id) === instance && !terminal.has(instance.status) && instance.status !== 'ContinuedAsNew';
  }

  /** Replay batches keep at most one retry-related event, first, so sequence ids match the engine's. */
  #takeBatch(instance: Instance): InboxItem[] {
    const batch: InboxItem[] = [];
    for (const item of instance.inbox) {
      if (item.retry && batch.length) break;
      batch.push(item);
    }
    instance.inbox = instance.inbox.slice(batch.length);
    return batch;
  }

  async #episode(instance: Instance): Promise<void> {
    const now = this.#now();
    const batch = this.#takeBatch(instance);
    this.options.log(instance.name, instance.id, 'debug', `episode with ${batch.length} new events, history ${instance.history.length}`);
    const consumed = batch.map((item) => item.key);
    const incoming = [event(EventType.OrchestratorStarted, {}, now), ...batch.map((item) => ({ ...item.event, IsPlayed: false }))];
    const outputs: HistoryEvent[] = [];
    const effects: Array<() => void> = [];

    // The engine allocates retry ids while it processes the event, before any new task.
    for (const item of batch) this.#consume(instance, item.event);
    const retry = batch[0]?.retry;
    if (retry) this.#allocateForRetry(instance, retry, now, outputs, effects);

    const history = [...instance.history, ...incoming];
    const replay = await this.#replay(instance, history);
    instance.history = history;

    const actions = flattenActions(replay.state.actions);
    instance.lastActions = actions;
    const fresh = actions.slice(instance.actionCount);
    let continueWith: { input: unknown } | undefined;
    for (let index = 0; index < fresh.length; index++) {
      const action = fresh[index] as OrchestratorAction;
      const actionIndex = instance.actionCount + index;
      const problem = this.#schedule(instance, action, actionIndex, now, outputs, effects);
      if (problem === 'continue') continueWith = { input: decodeActionInput(action.input) };
      else if (problem) {
        replay.failed = new Error(problem);
        break;
      }
    }
    instance.actionCount = actions.length;
    instance.history.push(...outputs);
    instance.customStatus = replay.state.customStatus ?? instance.customStatus ?? null;
    instance.lastUpdatedTime = now.toISOString();

    if (replay.failed) {
      instance.status = 'Failed';
      instance.output = `Orchestrator function '${instance.name}' failed: ${replay.failed.message}`;
    } else if (continueWith) {
      instance.status = 'ContinuedAsNew';
    } else if (replay.state.isDone) {
      instance.status = 'Completed';
      instance.output = replay.state.output ?? null;
    } else {
      instance.status = 'Running';
    }

    await this.options.store.append(instance.id, instance.execution, [
      {
        t: 'episode',
        consumed,
        events: [...incoming, ...outputs],
        book: this.#book(instance),
        status: instance.status,
        output: instance.output ?? null,
        customStatus: instance.customStatus ?? null,
        at: instance.lastUpdatedTime,
      },
    ]);

    if (instance.status === 'Running') {
      for (const effect of effects) effect();
    } else if (continueWith) {
      // External events not yet consumed carry over, as with .NET's preserveUnprocessedEvents;
      // any that reach this execution later are forwarded by #receive.
      const carried = instance.inbox.filter((item) => item.event.EventType === EventType.EventRaised);
      instance.inbox = [];
      await this.#create({ id: instance.id, name: instance.name, input: continueWith.input, execution: instance.execution + 1, carried, parent: instance.parent });
    } else {
      this.#notifyParent(instance, instance.status === 'Completed' ? { output: instance.output } : { error: new Error(String(instance.output)) });
    }
  }

  async #replay(instance: Instance, history: HistoryEvent[]): Promise<{ state: OrchestratorStateWire; failed?: Error }> {
    const fn = this.#orchestrators.get(instance.name);
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
      const response = await invokeCaptured(
        this.options.api,
        fn,
        { inputData: [{ name: triggerOf(fn.metadata).name, data: { string: JSON.stringify(trigger) } }], triggerMetadata: {} },
        this.options.log,
        this.options.resolveExtraInput,
      );
      return { state: fromTypedData(response.returnValue) as OrchestratorStateWire };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const marker = message.indexOf('$OutOfProcData$:');
      if (marker >= 0) {
        const state = JSON.parse(message.slice(marker + '$OutOfProcData$:'.length)) as OrchestratorStateWire;
        return { state, failed: new Error(state.error ?? message.slice(0, marker).trim()) };
      }
      return { state: emptyState(), failed: error instanceof Error ? error : new Error(message) };
    }
  }

  /** Turns one new action into history events and side effects. Returns a problem, or 'continue'. */
  #schedule(
    instance: Instance,
    action: OrchestratorAction,
    actionIndex: number,
    now: Date,
    outputs: HistoryEvent[],
    effects: Array<() => void>,
  ): string | 'continue' | undefined {
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const seq = instance.nextSequence++;
        const name = String(action.functionName);
        if (!this.#activities.has(name)) return `activity function "${name}" is not registered`;
        const task: TaskRecord = { seq, kind: 'activity', name, input: action.input };
        if (action.actionType === ActionType.CallActivityWithRetry && action.retryOptions) {
          instance.chains.set(seq, { id: seq, kind: 'activity', name, input: action.input, policy: action.retryOptions, attempt: 1 });
          task.chain = seq;
        }
        instance.tasks.set(seq, task);
        outputs.push(event(EventType.TaskScheduled, { Name: name, Input: action.input ?? null }, now, seq));
        effects.push(() => this.#dispatchActivity(instance, task));
        return undefined;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const seq = instance.nextSequence++;
        const name = String(action.functionName);
        if (!this.#orchestrators.has(name)) return `orchestrator function "${name}" is not registered`;
        const childId = action.instanceId || `${instance.id}:${seq}`;
        const task: TaskRecord = { seq, kind: 'sub', name, input: action.input, childId };
        if (action.actionType === ActionType.CallSubOrchestratorWithRetry && action.retryOptions) {
          instance.chains.set(seq, { id: seq, kind: 'sub', name, input: action.input, policy: action.retryOptions, attempt: 1 });
          task.chain = seq;
        }
        instance.tasks.set(seq, task);
        outputs.push(event(EventType.SubOrchestrationInstanceCreated, { Name: name, InstanceId: childId, Input: action.input ?? null }, now, seq));
        effects.push(() => void this.#startChild(instance, task));
        return undefined;
      }
      case ActionType.CreateTimer: {
        const seq = instance.nextSequence++;
        const fireAt = new Date(String(action.fireAt)).toISOString();
        const task: TaskRecord = { seq, kind: 'timer', fireAt, actionIndex };
        instance.tasks.set(seq, task);
        outputs.push(event(EventType.TimerCreated, { FireAt: fireAt }, now, seq));
        effects.push(() => this.#armTimer(instance, task));
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

  /** A consumed completion settles its task (and a retry chain that succeeded). */
  #consume(instance: Instance, consumed: HistoryEvent): void {
    const id = consumed.TaskScheduledId ?? consumed.TimerId;
    if (typeof id !== 'number') return;
    const task = instance.tasks.get(id);
    instance.tasks.delete(id);
    const succeeded = consumed.EventType === EventType.TaskCompleted || consumed.EventType === EventType.SubOrchestrationInstanceCompleted;
    if (task?.chain !== undefined && succeeded) instance.chains.delete(task.chain);
  }

  #allocateForRetry(instance: Instance, retry: RetryAllocation, now: Date, outputs: HistoryEvent[], effects: Array<() => void>): void {
    const chain = instance.chains.get(retry.chain);
    if (!chain) return;
    if (retry.allocates === 'timer') {
      const failedAttempt = chain.attempt++;
      const seq = instance.nextSequence++;
      const fireAt = new Date(now.getTime() + retryDelayMs(chain.policy, failedAttempt)).toISOString();
      const task: TaskRecord = { seq, kind: 'timer', fireAt, chain: chain.id };
      instance.tasks.set(seq, task);
      outputs.push(event(EventType.TimerCreated, { FireAt: fireAt }, now, seq));
      effects.push(() => this.#armTimer(instance, task));
    } else if (retry.allocates === 'attempt') {
      const seq = instance.nextSequence++;
      if (chain.kind === 'activity') {
        const task: TaskRecord = { seq, kind: 'activity', name: chain.name, input: chain.input, chain: chain.id };
        instance.tasks.set(seq, task);
        outputs.push(event(EventType.TaskScheduled, { Name: chain.name, Input: chain.input ?? null }, now, seq));
        effects.push(() => this.#dispatchActivity(instance, task));
      } else {
        const task: TaskRecord = { seq, kind: 'sub', name: chain.name, input: chain.input, chain: chain.id, childId: `${instance.id}:${chain.id}:attempt${chain.attempt}` };
        instance.tasks.set(seq, task);
        outputs.push(event(EventType.SubOrchestrationInstanceCreated, { Name: chain.name, InstanceId: task.childId, Input: chain.input ?? null }, now, seq));
        effects.push(() => void this.#startChild(instance, task));
      }
    } else {
      instance.chains.delete(chain.id);
    }
  }

  /** Delivers a task's outcome; for a retried task, a failure starts the backoff. */
  #complete(instance: Instance, execution: number, task: TaskRecord, outcome: { output?: unknown; error?: Error }): Promise<void> {
    const now = this.#now();
    const chain = task.chain !== undefined ? instance.chains.get(task.chain) : undefined;
    const failed = Boolean(outcome.error);
    let completion: HistoryEvent;
    if (task.kind === 'activity') {
      completion = failed
        ? event(EventType.TaskFailed, { TaskScheduledId: task.seq, ...failureFields(outcome.error as Error) }, now)
        : taskCompleted(task.seq, outcome.output, now);
    } else {
      completion = failed
        ? event(EventType.SubOrchestrationInstanceFailed, { TaskScheduledId: task.seq, ...failureFields(outcome.error as Error) }, now)
        : event(EventType.SubOrchestrationInstanceCompleted, { TaskScheduledId: task.seq, Result: JSON.stringify(outcome.output ?? null) }, now);
    }
    if (chain && failed) return this.#receive(instance, execution, completion, { chain: chain.id, allocates: 'timer' });
    return this.#receive(instance, execution, completion);
  }

  #dispatchActivity(instance: Instance, task: TaskRecord): void {
    const execution = instance.execution;
    const run = this.#activitySlots.run(async () => {
      if (this.#stopped || instance.execution !== execution || terminal.has(instance.status)) return;
      const fn = this.#activities.get(String(task.name)) as CapturedFunction;
      let outcome: { output?: unknown; error?: Error };
      try {
        const input = typeof task.input === 'string' ? task.input : JSON.stringify(task.input ?? null);
        const response = await invokeCaptured(
          this.options.api,
          fn,
          { inputData: [{ name: triggerOf(fn.metadata).name, data: { json: input } }], triggerMetadata: {} },
          this.options.log,
          this.options.resolveExtraInput,
        );
        outcome = { output: fromTypedData(response.returnValue) };
      } catch (error) {
        outcome = { error: error instanceof Error ? error : new Error(String(error)) };
      }
      // A host stopping mid-activity records nothing: the restarted host runs it again.
      if (this.#stopped) return;
      await this.#complete(instance, execution, task, outcome);
    });
    this.#track(run);
  }

  #armTimer(instance: Instance, task: TaskRecord): void {
    const execution = instance.execution;
    const key = `${instance.id}#${execution}#${task.seq}`;
    const fire = () => {
      this.#timers.delete(key);
      const remaining = Date.parse(String(task.fireAt)) - Date.now();
      if (remaining > 0) {
        this.#timers.set(key, setTimeout(fire, Math.min(remaining, maxTimerWaitMs)));
        return;
      }
      if (this.#stopped || instance.execution !== execution) return;
      const cancelled = task.actionIndex !== undefined && instance.lastActions[task.actionIndex]?.isCanceled === true;
      if (cancelled) {
        instance.tasks.delete(task.seq);
        return;
      }
      const fired = event(EventType.TimerFired, { TimerId: task.seq, FireAt: task.fireAt }, this.#now());
      const chain = task.chain !== undefined ? instance.chains.get(task.chain) : undefined;
      const retry: RetryAllocation | undefined = chain
        ? { chain: chain.id, allocates: chain.attempt > chain.policy.maxNumberOfAttempts ? 'nothing' : 'attempt' }
        : undefined;
      this.#track(this.#receive(instance, execution, fired, retry));
    };
    this.#timers.set(key, setTimeout(fire, Math.min(Math.max(0, Date.parse(String(task.fireAt)) - Date.now()), maxTimerWaitMs)));
  }

  async #startChild(parent: Instance, task: TaskRecord): Promise<void> {
    const childId = String(task.childId);
    const existing = this.#instances.get(childId);
    if (existing && !terminal.has(existing.status)) return;
    try {
      await this.#create({
        id: childId,
        name: String(task.name),
        input: task.input,
        execution: existing ? existing.execution + 1 : 1,
        carried: [],
        parent: { instanceId: parent.id, execution: parent.execution, seq: task.seq },
      });
    } catch (error) {
      await this.#complete(parent, parent.execution, task, { error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  #notifyParent(child: Instance, outcome: { output?: unknown; error?: Error }): void {
    if (!child.parent) return;
    const parent = this.#instances.get(child.parent.instanceId);
    const task = parent?.tasks.get(child.parent.seq);
    if (!parent || !task || parent.execution !== child.parent.execution) return;
    this.#track(this.#complete(parent, child.parent.execution, task, outcome));
  }

  #track(work: Promise<unknown>): void {
    this.#inFlight.add(work);
    void work
      .catch((error: unknown) => this.options.log('durable', '-', 'error', `durable backend: ${error instanceof Error ? error.stack : String(error)}`))
      .finally(() => this.#inFlight.delete(work));
  }

  #book(instance: Instance): Book {
    return {
      nextSequence: instance.nextSequence,
      actionCount: instance.actionCount,
      tasks: [...instance.tasks.values()],
      chains: [...instance.chains.values()],
    };
  }

  #applyBook(instance: Instance, book: Book): void {
    instance.nextSequence = book.nextSequence;
    instance.actionCount = book.actionCount;
    instance.tasks = new Map(book.tasks.map((task) => [task.seq, task]));
    instance.chains = new Map(book.chains.map((chain) => [chain.id, chain]));
  }
}

/** An instance before anything has happened to it. */
function blankInstance(identity: Pick<Instance, 'id' | 'name' | 'execution' | 'input' | 'createdTime' | 'parent'>): Instance {
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

interface Book {
  nextSequence: number;
  actionCount: number;
  tasks: TaskRecord[];
  chains: RetryChain[];
}

interface OrchestratorStateWire {
  isDone: boolean;
  actions: unknown;
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

function emptyState(): OrchestratorStateWire {
  return { isDone: false, actions: [] };
}
