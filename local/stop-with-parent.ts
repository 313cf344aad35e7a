/**
 * Calls `stop` once the process `parentPid` is gone: a host or server started by a test runner
 * stops when the runner does, even if the runner was killed and could not stop it.
 */
export function stopWithParent(parentPid: number | undefined, stop: () => void): void {
  if (!parentPid) return;
  setInterval(() => {
    try {
      process.kill(parentPid, 0);
    } catch {
      stop();
    }
  }, 1_000).unref();
}
