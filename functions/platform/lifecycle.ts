import { app } from '@azure/functions';
import { startMetricsPush, type MetricsPusher } from '../../shared/platform/metrics-push.js';
import { closeServices, getServices } from '../../shared/platform/services.js';

let pusher: MetricsPusher | undefined;

// Where a Pushgateway is configured, this instance pushes its metrics there while it lives.
app.hook.appStart(() => {
  const { settings, hostId } = getServices();
  const url = settings.ARBOR_METRICS_PUSHGATEWAY_URL;
  if (!url) return;
  let warned = false; // once: a gateway that is down should not flood the log
  pusher = startMetricsPush(url, hostId, settings.ARBOR_METRICS_PUSH_INTERVAL_SECONDS, (error) => {
    if (!warned) console.warn(`metrics push to ${url} failed: ${String(error)}`);
    warned = true;
  });
});

// Push a last time, then close Redis and Cosmos connections, so the app exits promptly.
app.hook.appTerminate(async () => {
  await pusher?.stop();
  await closeServices();
});
