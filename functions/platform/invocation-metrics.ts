import { app } from '@azure/functions';
import { functionDuration, functionErrors, functionInvocations } from '../../shared/platform/metrics.js';

/**
 * Invocation hooks run in the Azure worker and in Arbor's local host alike, so every function
 * is measured without touching its code.
 */
function httpStatusOf(result: unknown): number | undefined {
  // Both an HttpResponse and an HttpResponseInit carry `status`; the init may leave it out (200).
  if (result && typeof result === 'object') {
    const status = (result as { status?: unknown }).status;
    return typeof status === 'number' ? status : 200;
  }
  return undefined;
}

app.hook.preInvocation((context) => {
  context.hookData.startedAt = performance.now();
});

app.hook.postInvocation((context) => {
  const started = context.hookData.startedAt;
  const { functionName, options } = context.invocationContext;
  const trigger = options.trigger.type;
  if (typeof started === 'number') {
    functionDuration.observe({ function: functionName, trigger }, (performance.now() - started) / 1000);
  }
  const status = context.error ? undefined : httpStatusOf(context.result);
  const failed = Boolean(context.error) || (status !== undefined && status >= 500);
  const outcome = context.error ? 'error' : status !== undefined ? `${Math.floor(status / 100)}xx` : 'success';
  functionInvocations.inc({ function: functionName, trigger, outcome });
  if (failed) functionErrors.inc({ function: functionName, trigger });
});
