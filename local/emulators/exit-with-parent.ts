/**
 * Preloaded into the emulators' Node processes (`node --import`). They run in a process group of
 * their own, so a terminal's Ctrl-C reaches only the host, which stops them after itself; this
 * makes them stop when that host is gone without stopping them (killed with SIGKILL). SIGTERM,
 * not exit, so that Azurite saves what it holds as it does when stopped normally.
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, 1_000).unref();
