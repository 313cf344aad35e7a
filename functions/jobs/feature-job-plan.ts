import * as df from 'durable-functions';
import { planJob } from '../../shared/features/job-activities.js';
import { featureJobActivityNames, type FeatureJobInput } from '../../shared/features/job-contract.js';
import { getServices } from '../../shared/platform/services.js';

/** Marks a job running and decides its steps. */
df.app.activity(featureJobActivityNames.plan, { handler: (input: FeatureJobInput) => planJob(getServices(), input.jobId, new Date()) });
