import * as df from 'durable-functions';
import { orchestratorNames } from '../../shared/pipelines/run-contract.js';
import { pipelineRunOrchestrator } from '../../shared/pipelines/run-orchestrator.js';

df.app.orchestration(orchestratorNames.run, pipelineRunOrchestrator);
