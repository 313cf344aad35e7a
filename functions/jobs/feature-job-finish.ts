import * as df from 'durable-functions';
import { finishJob } from '../../shared/features/job-activities.js';
import { featureJobActivityNames, type JobFinishRequest } from '../../shared/features/job-contract.js';
import { getServices } from '../../shared/platform/services.js';

/** Records a job's end: result or error, and what it kept while running removed. */
df.app.activity(featureJobActivityNames.finish, { handler: (request: JobFinishRequest) => finishJob(getServices(), request, new Date()) });
