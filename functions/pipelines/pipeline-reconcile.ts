import * as df from 'durable-functions';
import { activityNames, type ReconcileRequest } from '../../shared/pipelines/run-contract.js';
import { missedSignals } from '../../shared/pipelines/run-signal.js';
import { getServices } from '../../shared/platform/services.js';

/** What the records know that a new execution of a run may have missed: a cancel, steps that ended. */
df.app.activity(activityNames.reconcile, {
  handler: (request: ReconcileRequest) => missedSignals(getServices(), request),
});
