import { builtInStepTypes } from '../../shared/pipelines/steps/index.js';
import { registerStepType } from '../../shared/pipelines/step-registry.js';

// Registered at load, so the API validates `uses` and the step activity runs the same set in
// either host. An app adds its own step types here (defineStepType + registerStepType).
for (const stepType of builtInStepTypes.values()) registerStepType(stepType);
