import { app } from '@azure/functions';
import { metricsRegistry } from '../../shared/platform/metrics.js';
import { startMetricsPush } from '../../shared/platform/metrics-push.js';
import { remoteWriteTargetOf, startRemoteWrite } from '../../shared/platform/metrics-remote-write.js';
import type { PeriodicTask } from '../../shared/platform/periodic-task.js';
import { closeServices, getServices } from '../../shared/platform/services.js';

const handoffs: PeriodicTask[] = [];

/** Logs a collector's first failure only: one that is down should not flood the log. */
function warnOnce(what: string): (error: unknown) => void {
  let warned = false;
  return (error) => {
    if (!warned) console.warn(`${what} failed: ${String(error)}`);
    warned = true;
  };
}

// Where a Pushgateway or a remote-write receiver is configured, this instance hands its metrics there while it lives.
app.hook.appStart(() => {
  const { settings, hostId } = getServices();
  const interval = settings.ARBOR_METRICS_PUSH_INTERVAL_SECONDS;
  const gateway = settings.ARBOR_METRICS_PUSHGATEWAY_URL;
  if (gateway) handoffs.push(startMetricsPush(gateway, hostId, interval, warnOnce(`metrics push to ${gateway}`)));
  const target = remoteWriteTargetOf(settings, hostId);
  if (target) handoffs.push(startRemoteWrite(metricsRegistry, target, interval, warnOnce(`metrics remote write to ${target.url}`)));
});

// Hand the metrics over a last time, then close Redis and Cosmos connections, so the app exits promptly.
app.hook.appTerminate(async () => {
  await Promise.all(handoffs.map((handoff) => handoff.stop()));
  await closeServices();
});
