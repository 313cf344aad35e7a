import * as df from 'durable-functions';
import { rolloutOrchestratorNames } from '../../shared/serving/rollout-contract.js';
import { rolloutOrchestrator } from '../../shared/serving/rollout-orchestrator.js';

/** A canary rollout (shared/serving/rollout-orchestrator.ts); its activities are the serving-rollout-* files beside it. */
df.app.orchestration(rolloutOrchestratorNames.rollout, rolloutOrchestrator);
