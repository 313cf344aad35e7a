import * as df from 'durable-functions';
import { activityNames, type LoadRunRequest } from '../../shared/pipelines/run-contract.js';
import { loadRunForExecution } from '../../shared/pipelines/run-service.js';
import { getServices } from '../../shared/platform/services.js';

/** Gives the run orchestrator what its run executes, from the records (it may not do I/O itself). */
df.app.activity(activityNames.load, {
  handler: (request: LoadRunRequest) => loadRunForExecution(getServices(), request),
});
