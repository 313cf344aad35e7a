import * as df from 'durable-functions';
import { getServices } from '../../shared/platform/services.js';
import { commandRollout } from '../../shared/serving/rollout-activities.js';
import { rolloutActivityNames, type RolloutCommandRequest } from '../../shared/serving/rollout-contract.js';

/** Pause, resume, abort or promote, as the rollout's orchestration received it. */
df.app.activity(rolloutActivityNames.command, { handler: (request: RolloutCommandRequest) => commandRollout(getServices(), request.endpoint, request.rolloutId, request.command) });
