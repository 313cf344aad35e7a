import { z } from 'zod';
import { defineStepType, type StepType } from '../pipelines/step-type.js';
import { materializeView } from './materialize.js';
import { loadRegistry } from './registry.js';
import { timestampSchema } from './rows.js';
import { featureStores } from './stores.js';

/**
 * Materialization as a pipeline step: a pipeline that ingests or transforms a view's data can
 * end by copying it online, and one step per view fans a project's materialization out.
 */
export const featuresMaterializeStep = defineStepType({
  name: 'features.materialize',
  description: 'Copies the newest offline row per entity of a feature view to the online store (incremental, or a start/end window).',
  input: z.strictObject({ view: z.string().min(1), start: timestampSchema.optional(), end: timestampSchema.optional() }),
  run: async (input, context) => {
    const result = await materializeView(
      context.services,
      featureStores(context.services),
      await loadRegistry(context.services, { fresh: true }),
      { view: input.view, ...(input.start ? { start: new Date(input.start) } : {}), ...(input.end ? { end: new Date(input.end) } : {}) },
      new Date(),
    );
    return { ...result };
  },
});

/** The step types the feature store brings; the composition root (functions/) registers them. */
export const featureStepTypes: readonly StepType[] = [featuresMaterializeStep];
