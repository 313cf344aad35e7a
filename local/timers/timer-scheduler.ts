import type { CapturedFunction, CoreApi } from '../worker/core-api.js';
import { invokeCaptured, type ExtraInputResolver, type InvocationLogger } from '../worker/invoke.js';
import { triggerOf } from '../worker/rpc.js';
import { parseNcrontab, resolveAppSettings, type TimerSchedule } from './ncrontab.js';

export interface ScheduledTimer {
  fn: CapturedFunction;
  triggerName: string;
  schedule: TimerSchedule;
  runOnStartup: boolean;
}

/** A fire counts as past due when it starts this much later than planned (a busy or restarted host). */
const pastDueAfterMs = 1_000;
const maxTimeoutMs = 2_147_483_647;

export function buildTimers(functions: Iterable<CapturedFunction>, settings: Readonly<Record<string, string | undefined>>): ScheduledTimer[] {
  const timers: ScheduledTimer[] = [];
  for (const fn of functions) {
    const { name, binding } = triggerOf(fn.metadata);
    if (binding.type !== 'timerTrigger') continue;
    if (typeof binding.schedule !== 'string') throw new Error(`timer "${fn.metadata.name}" has no schedule`);
    let schedule: TimerSchedule;
    try {
      schedule = parseNcrontab(resolveAppSettings(binding.schedule, settings));
    } catch (error) {
      throw new Error(`timer "${fn.metadata.name}": ${error instanceof Error ? error.message : String(error)}`);
    }
    timers.push({ fn, triggerName: name, schedule, runOnStartup: binding.runOnStartup === true });
  }
  return timers;
}

/**
 * Fires each timer on its schedule. A timer never overlaps itself: a fire that comes due while
 * the previous run is still going waits for it, then runs once, marked past due.
 */
export class TimerScheduler {
  #handles = new Map<string, NodeJS.Timeout>();
  #running = new Map<string, Promise<void>>();
  #last = new Map<string, Date>();
  #stopped = false;

  constructor(
    private readonly api: CoreApi,
    private readonly timers: readonly ScheduledTimer[],
    private readonly log: InvocationLogger,
    private readonly resolveExtraInput?: ExtraInputResolver,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(): void {
    for (const timer of this.timers) {
      if (timer.runOnStartup) void this.#fire(timer, this.now());
      this.#arm(timer);
    }
  }

  nextRuns(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const timer of this.timers) out[timer.fn.metadata.name] = timer.schedule.next(this.now()).toISOString();
    return out;
  }

  #arm(timer: ScheduledTimer): void {
    if (this.#stopped) return;
    const due = timer.schedule.next(this.now());
    const wait = Math.min(Math.max(0, due.getTime() - this.now().getTime()), maxTimeoutMs);
    const handle = setTimeout(() => {
      if (this.now().getTime() + 5 < due.getTime()) return this.#arm(timer);
      void this.#fire(timer, due).finally(() => this.#arm(timer));
    }, wait);
    this.#handles.set(timer.fn.metadata.name, handle);
  }

  async #fire(timer: ScheduledTimer, due: Date): Promise<void> {
    const name = timer.fn.metadata.name;
    await this.#running.get(name);
    if (this.#stopped) return;
    const started = this.now();
    const run = this.#invoke(timer, due, started);
    this.#running.set(name, run);
    await run;
  }

  async #invoke(timer: ScheduledTimer, due: Date, started: Date): Promise<void> {
    const name = timer.fn.metadata.name;
    const payload = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: (this.#last.get(name) ?? new Date(0)).toISOString(),
        Next: timer.schedule.next(started).toISOString(),
        LastUpdated: started.toISOString(),
      },
      IsPastDue: started.getTime() - due.getTime() > pastDueAfterMs,
    };
    this.#last.set(name, started);
    try {
      await invokeCaptured(
        this.api,
        timer.fn,
        { inputData: [{ name: timer.triggerName, data: { json: JSON.stringify(payload) } }], triggerMetadata: {} },
        this.log,
        this.resolveExtraInput,
      );
    } catch (error) {
      this.log(name, '-', 'error', `timer run failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Stops arming new fires and waits for runs in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const handle of this.#handles.values()) clearTimeout(handle);
    await Promise.allSettled(this.#running.values());
  }
}
