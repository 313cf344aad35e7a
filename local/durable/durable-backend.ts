import type { CapturedFunction, CoreApi } from '../worker/core-api.js';
import type { ExtraInputResolver, InvocationLogger } from '../worker/invoke.js';
import { triggerOf } from '../worker/rpc.js';
import { ActivityRunner } from './dispatch/activity-runner.js';
import { OwnEventHold, type HeldEvents } from './dispatch/own-event-hold.js';
import { TimerBoard } from './dispatch/timer-board.js';
import { functionInvoker, type FunctionInvoker } from './function-invoker.js';
import { EventType, event, type HistoryEvent } from './history.js';
import { blankInstance, outcomeOf, terminal, type InboxItem, type RuntimeStatus, type Instance, type ParentLink, type RetryAllocation, type TaskOutcome, type TaskRecord } from './instance.js';
import type { InstanceLog } from './instance-log.js';
import { createdLine, episodeLine, receivedLine, statusLine } from './instance-record.js';
import { InstanceTable, type InstanceStatus } from './instance-table.js';
import { replayOrchestrator } from './replay.js';
import { allocateForRetry, applyReplay, completionOf, settle, takeBatch, timerFiredOf, type RegisteredFunctions, type Scheduled } from './scheduling.js';

export type { RuntimeStatus } from './instance.js';
export type { InstanceStatus } from './instance-table.js';

export class DurableRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DurableBackendOptions {
  api: CoreApi;
  functions: readonly CapturedFunction[];
  store: InstanceLog;
  log: InvocationLogger;
  maxConcurrentActivities: number;
  resolveExtraInput: ExtraInputResolver;
  /** Extra inputs of one activity invocation, whose durable client carries `raisedBy` (own-event-hold.ts). */
  activityExtraInput?: (raisedBy: string) => ExtraInputResolver;
  /** How long an event an activity raised to its own orchestration waits for the activity's result. */
  maxOwnEventHoldMs?: number;
  now?: () => Date;
}

/**
 * The local durable backend: it drives each orchestration with its event history through the
 * app's real durable-functions replay engine, runs the activities, timers, sub-orchestrations,
 * retries and external events its actions ask for, and records every step in blob storage first,
 * so a restarted host resumes every unfinished instance without re-running completed work.
 *
 * This file is the conductor and the client API; the parts are beside it: the instance table
 * (`instance-table.ts`), the log format (`instance-record.ts`), replay (`replay.ts`), the task
 * book (`scheduling.ts`), and the dispatch of activities and timers (`dispatch/`).
 */
export class DurableBackend {
  readonly #instances = new InstanceTable();
  readonly #orchestrators = new Map<string, CapturedFunction>();
  readonly #activities: ActivityRunner;
  readonly #registered: RegisteredFunctions;
  readonly #timers = new TimerBoard();
  readonly #holds: OwnEventHold;
  readonly #invoke: FunctionInvoker;
  readonly #inFlight = new Set<Promise<unknown>>();
  #stopped = false;
  readonly #now: () => Date;

  constructor(private readonly options: DurableBackendOptions) {
    const activities: CapturedFunction[] = [];
    for (const fn of options.functions) {
      const type = triggerOf(fn.metadata).binding.type;
      if (type === 'orchestrationTrigger') this.#orchestrators.set(fn.metadata.name, fn);
      if (type === 'activityTrigger') activities.push(fn);
    }
    this.#invoke = functionInvoker(options.api, options.log, options.resolveExtraInput);
    this.#activities = new ActivityRunner(activities, options.maxConcurrentActivities, this.#invoke);
    this.#registered = { hasActivity: (name) => this.#activities.has(name), hasOrchestrator: (name) => this.#orchestrators.has(name) };
    this.#now = options.now ?? (() => new Date());
    this.#holds = new OwnEventHold(options.maxOwnEventHoldMs ?? 50, (held) => this.#releaseHeld(held));
  }

  get activityQueueDepth(): number {
    return this.#activities.queued;
  }

  /** Loads every stored instance and resumes the unfinished ones. */
  async start(): Promise<void> {
    await this.options.store.init();
    for (const instance of await this.#instances.load(this.options.store)) this.#resume(instance);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#timers.clear();
    this.#holds.clear();
    // Let work in progress record what it finished, so a restart repeats as little as possible.
    await Promise.allSettled([...this.#inFlight]);
    await Promise.allSettled(this.#instances.all().map((i) => i.processing));
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
    return this.#instances.status(instanceId, showHistory);
  }

  list(): InstanceStatus[] {
    return this.#instances.list();
  }

  /** `raisedBy` is the token of the activity that raised it, when an activity did (own-event-hold.ts). */
  async raiseEvent(instanceId: string, name: string, data: unknown, raisedBy?: string | null): Promise<void> {
    const instance = this.#instances.get(instanceId);
    if (!instance) throw new DurableRequestError(404, `no instance "${instanceId}"`);
    if (terminal.has(instance.status)) throw new DurableRequestError(410, `instance "${instanceId}" is ${instance.status}`);
    const raised = event(EventType.EventRaised, { Name: name, Input: JSON.stringify(data ?? null) }, this.#now());
    if (this.#holds.hold(raisedBy, instance.id, instance.execution, raised)) return;
    await this.#receive(instance, instance.execution, raised);
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
    await this.options.store.append(instance.id, instance.execution, [statusLine(instance)]);
    this.#notifyParent(instance, { error: new Error(`terminated: ${reason}`) });
  }

  async purge(instanceId: string): Promise<number> {
    const instance = this.#instances.get(instanceId);
    if (!instance) return 0;
    if (!terminal.has(instance.status)) {
      throw new DurableRequestError(400, `instance "${instanceId}" is ${instance.status}; only finished instances can be purged`);
    }
    this.#instances.forget(instanceId);
    return this.options.store.purge(instanceId);
  }

  /**
   * Purges every finished instance created in [from, to] whose status is one of `statuses`
   * (all finished ones when none is given); unfinished instances are never purged, whatever
   * the filter says. Returns how many went.
   */
  async purgeBy(filter: { from: Date; to?: Date | undefined; statuses: readonly RuntimeStatus[] }): Promise<number> {
    const chosen = this.#instances.all().filter((instance) => {
      const created = Date.parse(instance.createdTime);
      return (
        terminal.has(instance.status) &&
        (!filter.statuses.length || filter.statuses.includes(instance.status)) &&
        created >= filter.from.getTime() &&
        (filter.to === undefined || created <= filter.to.getTime())
      );
    });
    let deleted = 0;
    for (const instance of chosen) {
      try {
        deleted += await this.purge(instance.id);
      } catch (error) {
        // Started again since it was chosen: no longer finished, so it stays.
        if (!(error instanceof DurableRequestError)) throw error;
      }
    }
    return deleted;
  }

  // ---- instance lifecycle ----

  async #create(init: { id: string; name: string; input: unknown; execution: number; carried: InboxItem[]; parent?: ParentLink }): Promise<Instance> {
    const now = this.#now().toISOString();
    const instance = blankInstance({ id: init.id, name: init.name, execution: init.execution, input: init.input, createdTime: now, parent: init.parent });
    const started = event(EventType.ExecutionStarted, { Name: init.name, Input: JSON.stringify(init.input ?? null) }, this.#now());
    const items: InboxItem[] = [{ key: 'r0', event: started }, ...init.carried.map((item, i) => ({ ...item, key: `r${i + 1}` }))];
    instance.received = items.length;
    instance.inbox = items;
    // Current before its log exists: the log serialises writes per instance, so an event
    // arriving now is appended after the creation, never to the previous execution.
    this.#instances.adopt(instance);
    await this.options.store.create(instance.id, instance.execution, [createdLine(instance), ...items.map(receivedLine)]);
    this.#kick(instance);
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
      if (task.kind === 'sub') this.#resumeChild(instance, task);
      else this.#startTask(instance, task);
    }
    this.#kick(instance);
  }

  #resumeChild(parent: Instance, task: TaskRecord): void {
    const child = task.childId ? this.#instances.get(task.childId) : undefined;
    if (!child) {
      void this.#startChild(parent, task);
    } else if (terminal.has(child.status)) {
      this.#notifyParent(child, outcomeOf(child));
    }
  }

  // ---- receiving events ----

  async #receive(instance: Instance, execution: number, received: HistoryEvent, retry?: RetryAllocation, withResult = false): Promise<void> {
    const current = this.#instances.get(instance.id);
    if (current !== instance) {
      // An external event follows the instance into its next execution; results of tasks of
      // an execution that continued as new (or was purged) go nowhere.
      if (current && received.EventType === EventType.EventRaised) return this.#receive(current, current.execution, received);
      return;
    }
    if (instance.execution !== execution || terminal.has(instance.status) || instance.status === 'ContinuedAsNew') return;
    this.options.log(instance.name, instance.id, 'debug', `received event ${received.EventType} for task ${String(received.TaskScheduledId ?? received.TimerId ?? '-')}`);
    const item: InboxItem = { key: `r${instance.received++}`, event: received, retry };
    if (!withResult && mustRecordOnArrival(received, retry)) await this.options.store.append(instance.id, instance.execution, [receivedLine(item)]);
    if (!this.#instances.isLive(instance)) {
      const now = this.#instances.get(instance.id);
      if (now && now !== instance && received.EventType === EventType.EventRaised) await this.#receive(now, now.execution, received);
      return;
    }
    instance.inbox.push(item);
    this.#kick(instance);
  }

  #kick(instance: Instance): void {
    if (instance.processing || this.#stopped || !instance.inbox.length) return;
    instance.processing = (async () => {
      // Yield first: the finally below must not run before `processing` is assigned.
      await null;
      try {
        while (instance.inbox.length && this.#instances.isLive(instance) && !this.#stopped) {
          await this.#episode(instance);
        }
      } catch (error) {
        this.options.log(instance.name, instance.id, 'error', `durable backend failed: ${error instanceof Error ? error.stack : String(error)}`);
      } finally {
        instance.processing = undefined;
      }
    })();
  }

  /** One replay over the events that arrived; recorded before any task it schedules starts. */
  async #episode(instance: Instance): Promise<void> {
    const now = this.#now();
    const batch = takeBatch(instance);
    this.options.log(instance.name, instance.id, 'debug', `episode with ${batch.length} new events, history ${instance.history.length}`);
    const consumed = batch.map((item) => item.key);
    const incoming = [event(EventType.OrchestratorStarted, {}, now), ...batch.map((item) => ({ ...item.event, IsPlayed: false }))];
    const scheduled: Scheduled = { events: [], tasks: [] };

    for (const item of batch) settle(instance, item.event);
    const retry = batch[0]?.retry;
    if (retry) allocateForRetry(instance, retry, now, scheduled);

    const history = [...instance.history, ...incoming];
    const replay = await replayOrchestrator(this.#invoke, this.#orchestrators.get(instance.name), instance, history);
    instance.history = history;
    const { continueWith } = applyReplay(instance, replay, now, this.#registered, scheduled);

    await this.options.store.append(instance.id, instance.execution, [episodeLine(instance, consumed, [...incoming, ...scheduled.events])]);

    if (instance.status === 'Running') {
      for (const task of scheduled.tasks) this.#startTask(instance, task);
    } else if (continueWith) {
      // External events not yet consumed carry over, as with .NET's preserveUnprocessedEvents;
      // any that reach this execution later are forwarded by #receive.
      const carried = instance.inbox.filter((item) => item.event.EventType === EventType.EventRaised);
      instance.inbox = [];
      await this.#create({ id: instance.id, name: instance.name, input: continueWith.input, execution: instance.execution + 1, carried, parent: instance.parent });
    } else {
      this.#notifyParent(instance, outcomeOf(instance));
    }
  }

  // ---- running tasks ----

  #startTask(instance: Instance, task: TaskRecord): void {
    if (task.kind === 'activity') this.#dispatchActivity(instance, task);
    else if (task.kind === 'timer') this.#armTimer(instance, task);
    else void this.#startChild(instance, task);
  }

  /** Delivers a task's outcome to the execution that scheduled it. */
  #complete(instance: Instance, execution: number, task: TaskRecord, outcome: TaskOutcome): Promise<void> {
    const completion = completionOf(instance, task, outcome, this.#now());
    return this.#receive(instance, execution, completion.event, completion.retry);
  }

  #dispatchActivity(instance: Instance, task: TaskRecord): void {
    const execution = instance.execution;
    const token = this.#holds.open(instance.id, execution);
    const run = this.#activities.run(
      String(task.name),
      task.input,
      () => !this.#stopped && instance.execution === execution && !terminal.has(instance.status),
      async (outcome) => {
        const held = this.#holds.close(token);
        // A host stopping mid-activity records nothing: the restarted host runs it again, and
        // it raises its events again.
        if (this.#stopped) return;
        // Not written on arrival, like the result: the episode that consumes them writes them
        // all. Each delivery reaches the inbox before its first await, and an episode starts a
        // tick after its kick, so the events and the result are replayed together.
        await Promise.all([
          ...held.map((raised) => this.#receive(instance, execution, raised, undefined, true)),
          this.#complete(instance, execution, task, outcome),
        ]);
      },
      this.options.activityExtraInput?.(token),
    );
    this.#track(run.finally(() => this.#holds.close(token)));
  }

  /** An activity that held its events past the limit: they are delivered as they came, written first. */
  #releaseHeld(held: HeldEvents): void {
    const instance = this.#instances.get(held.instanceId);
    if (!instance || this.#stopped) return;
    // Raised events follow the instance into a later execution, as #receive forwards them.
    for (const raised of held.events) this.#track(this.#receive(instance, instance.execution, raised));
  }

  #armTimer(instance: Instance, task: TaskRecord): void {
    const execution = instance.execution;
    this.#timers.arm(`${instance.id}#${execution}#${task.seq}`, String(task.fireAt), () => {
      if (this.#stopped || instance.execution !== execution) return;
      const cancelled = task.actionIndex !== undefined && instance.lastActions[task.actionIndex]?.isCanceled === true;
      if (cancelled) {
        instance.tasks.delete(task.seq);
        return;
      }
      const fired = timerFiredOf(instance, task, this.#now());
      this.#track(this.#receive(instance, execution, fired.event, fired.retry));
    });
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

  #notifyParent(child: Instance, outcome: TaskOutcome): void {
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
}

/**
 * An activity's result or a timer's firing is not written when it arrives: the episode that
 * consumes it writes it with the events it added (episodeLine), one append instead of two per
 * completion (bench/pipelines counts them). A host that stops in between runs the activity again
 * or fires the timer again when it resumes (#resume finds the task unanswered), which Durable
 * Functions' at-least-once activities allow. An external event is written at once, since its
 * sender has been told it was received; a retry's bookkeeping and a sub-orchestration's outcome
 * (its child will not send it again) are written at once too.
 */
function mustRecordOnArrival(received: HistoryEvent, retry: RetryAllocation | undefined): boolean {
  if (retry) return true;
  return received.EventType !== EventType.TaskCompleted && received.EventType !== EventType.TaskFailed && received.EventType !== EventType.TimerFired;
}
