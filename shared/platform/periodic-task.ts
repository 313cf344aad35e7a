/**
 * A task run now, then every interval, one run at a time (a slow run delays the next rather
 * than overlapping it), and once more when stopped: how an instance hands its metrics to a
 * collector while it lives and as it goes. Errors go to `onError`; the schedule goes on.
 */
export interface PeriodicTask {
  stop(): Promise<void>;
}

export function startPeriodicTask(task: () => Promise<unknown>, intervalSeconds: number, onError: (error: unknown) => void): PeriodicTask {
  const run = () => task().then(() => undefined, onError);
  let pending = run();
  const timer = setInterval(() => {
    pending = pending.then(run);
  }, intervalSeconds * 1000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await pending;
      await run();
    },
  };
}
