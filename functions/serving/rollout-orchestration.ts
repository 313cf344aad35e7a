import * as df from 'durable-functions';
import { getServices } from '../../shared/platform/services.js';
import { beginRollout, checkRollout, commandRollout } from '../../shared/serving/rollout-activities.js';
import { rolloutActivityNames, rolloutOrchestratorNames, type RolloutActivityRequest, type RolloutCommandRequest } from '../../shared/serving/rollout-contract.js';
import { rolloutOrchestrator } from '../../shared/serving/rollout-orchestrator.js';

/** A canary rollout (shared/serving/rollout-orchestrator.ts) and the activities that act for it. */
df.app.orchestration(rolloutOrchestratorNames.rollout, rolloutOrchestrator);
df.app.activity(rolloutActivityNames.begin, { handler: (request: RolloutActivityRequest) => beginRollout(getServices(), request.endpoint, request.rolloutId) });
df.app.activity(rolloutActivityNames.check, { handler: (request: RolloutActivityRequest) => checkRollout(getServices(), request.endpoint, request.rolloutId) });
df.app.activity(rolloutActivityNames.command, { handler: (request: RolloutCommandRequest) => commandRollout(getServices(), request.endpoint, request.rolloutId, request.command) });
