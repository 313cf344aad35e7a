import { driftRunSchema } from '../../drift/requests.js';
import { runDrift } from '../../drift/run.js';
import { loadRegistry } from '../../features/registry.js';
import { defineStepType } from '../step-type.js';

/** A drift check as a pipeline step, so a scheduled pipeline is a drift job. */
export const driftRunStep = defineStepType({
  name: 'drift.run',
  description: 'Compares a feature view window with a reference (window or profile); stores the report and sets the drift gauges.',
  input: driftRunSchema,
  run: async (input, context) => {
    const report = await runDrift(context.services, await loadRegistry(context.services), input, new Date());
    return {
      reportId: report.id,
      drifted: report.drifted,
      driftedFeatures: Object.entries(report.features).filter(([, f]) => f.drifted).map(([name]) => name),
    };
  },
});
