import { loadRegistry } from '../features/registry.js';
import { featureStores } from '../features/stores.js';
import { defineStepType, type StepType } from '../pipelines/step-type.js';
import { driftRunSchema } from './requests.js';
import { runDrift } from './run.js';

/** A drift check as a pipeline step, so a scheduled pipeline is a drift job. */
export const driftRunStep = defineStepType({
  name: 'drift.run',
  description: 'Compares a feature view window with a reference (window or profile); stores the report and sets the drift gauges.',
  input: driftRunSchema,
  run: async (input, context) => {
    const report = await runDrift(context.services, featureStores(context.services).offline, await loadRegistry(context.services), input, new Date());
    return {
      reportId: report.id,
      drifted: report.drifted,
      driftedFeatures: Object.entries(report.features).filter(([, f]) => f.drifted).map(([name]) => name),
    };
  },
});

/** The step types drift brings; the composition root (functions/) registers them. */
export const driftStepTypes: readonly StepType[] = [driftRunStep];
