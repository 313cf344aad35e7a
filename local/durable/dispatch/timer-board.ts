/** setTimeout's longest wait; a later timer waits in steps of it. */
const maxTimerWaitMs = 2_147_483_647;

/**
 * Durable timers as process timers, by key. A timer set for next month re-arms itself in steps,
 * since setTimeout cannot wait that long at once.
 */
export class TimerBoard {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  arm(key: string, fireAt: string, fire: () => void): void {
    const wait = () => {
      this.#timers.delete(key);
      const remaining = Date.parse(fireAt) - Date.now();
      if (remaining > 0) {
        this.#timers.set(key, setTimeout(wait, Math.min(remaining, maxTimerWaitMs)));
        return;
      }
      fire();
    };
    this.#timers.set(key, setTimeout(wait, Math.min(Math.max(0, Date.parse(fireAt) - Date.now()), maxTimerWaitMs)));
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
