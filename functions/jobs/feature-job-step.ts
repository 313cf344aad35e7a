import * as df from 'durable-functions';
import { runJobStep } from '../../shared/features/job-activities.js';
import { featureJobActivityNames, type JobStepRequest } from '../../shared/features/job-contract.js';
import { getServices } from '../../shared/platform/services.js';

/** One step of a job, unless it was asked to stop. */
df.app.activity(featureJobActivityNames.step, { handler: (request: JobStepRequest) => runJobStep(getServices(), request) });
