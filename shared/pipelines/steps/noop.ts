import { z } from 'zod';
import { defineStepType } from '../step-type.js';

/** A step that does nothing: for wiring a pipeline up, and for tests of the engine itself. */
export const noopStep = defineStepType({
  name: 'noop',
  description: 'Does nothing; returns { ok: true } plus the fields of `echo`.',
  input: z.strictObject({ echo: z.record(z.string(), z.unknown()).optional() }),
  run: async (input) => ({ ok: true, ...input.echo }),
});
