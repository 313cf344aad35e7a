/**
 * Preloaded into the emulators' Node processes (`node --import`). They run in a process group of
 * their own, so a terminal's Ctrl-C reaches only the host, which stops them after itself; this
 * makes them exit when that host is gone without stopping them (killed with SIGKILL).
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1_000).unref();
