import * as df from 'durable-functions';
import { featureJobOrchestratorNames } from '../../shared/features/job-contract.js';
import { featureJobOrchestrator } from '../../shared/features/job-orchestrator.js';

/** A feature-store job (shared/features/job-orchestrator.ts); its activities are the feature-job-* files beside it. */
df.app.orchestration(featureJobOrchestratorNames.job, featureJobOrchestrator);
