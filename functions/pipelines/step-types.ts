import { driftStepTypes } from '../../shared/drift/pipeline-steps.js';
import { featureStepTypes } from '../../shared/features/pipeline-steps.js';
import { builtInStepTypes } from '../../shared/pipelines/steps/index.js';
import { registerStepType } from '../../shared/pipelines/step-registry.js';
import { servingStepTypes } from '../../shared/serving/pipeline-steps.js';

// Registered at load, so the API validates `uses` and the step activity runs the same set in
// either host. The engine knows no capability: each brings its step types and they meet here.
// An app adds its own step types here too (defineStepType + registerStepType).
for (const stepType of [...builtInStepTypes.values(), ...featureStepTypes, ...driftStepTypes, ...servingStepTypes]) registerStepType(stepType);
