import * as df from 'durable-functions';
import { getServices } from '../../shared/platform/services.js';
import { checkRollout } from '../../shared/serving/rollout-activities.js';
import { rolloutActivityNames, type RolloutActivityRequest } from '../../shared/serving/rollout-contract.js';

/** One analysis of a rollout's window, and the decision it leads to. */
df.app.activity(rolloutActivityNames.check, { handler: (request: RolloutActivityRequest) => checkRollout(getServices(), request.endpoint, request.rolloutId) });
