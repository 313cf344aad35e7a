import * as df from 'durable-functions';
import { getServices } from '../../shared/platform/services.js';
import { beginRollout } from '../../shared/serving/rollout-activities.js';
import { rolloutActivityNames, type RolloutActivityRequest } from '../../shared/serving/rollout-contract.js';

/** Puts a rollout's candidate on its first step. */
df.app.activity(rolloutActivityNames.begin, { handler: (request: RolloutActivityRequest) => beginRollout(getServices(), request.endpoint, request.rolloutId) });
