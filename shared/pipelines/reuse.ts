import { isDeepStrictEqual } from 'node:util';
import type { RunView } from './runs.js';
import type { PipelineSpec, StepSpec } from './spec.js';

/** What decides a step's outputs: a change to any of these may change them. */
function definition(step: StepSpec): unknown {
  return { uses: step.uses, with: step.with, dependsOn: [...step.dependsOn].sort() };
}

/**
 * The outputs a retry may take from the run it retries instead of running the step again: a
 * step that succeeded there, is defined the same way in the spec the retry runs (which is
 * another version after `?version=latest`), and whose upstream steps are all reused too; a
 * changed step, and everything downstream of it, runs again.
 */
export function reusableOutputs(previous: RunView | undefined, previousSpec: PipelineSpec | undefined, spec: PipelineSpec): Record<string, Record<string, unknown>> {
  if (!previous || !previousSpec) return {};
  const before = new Map(previousSpec.steps.map((step) => [step.id, step]));
  const steps = new Map(spec.steps.map((step) => [step.id, step]));
  const decided = new Map<string, boolean>();
  const reusable = (id: string): boolean => {
    const known = decided.get(id);
    if (known !== undefined) return known;
    const step = steps.get(id);
    const old = before.get(id);
    const record = previous.steps[id];
    // Specs are validated acyclic, so this recursion ends.
    const ok =
      step !== undefined &&
      old !== undefined &&
      (record?.state === 'succeeded' || record?.state === 'cached') &&
      record.outputs !== undefined &&
      isDeepStrictEqual(definition(step), definition(old)) &&
      step.dependsOn.every(reusable);
    decided.set(id, ok);
    return ok;
  };
  const reuse: Record<string, Record<string, unknown>> = {};
  for (const id of steps.keys()) if (reusable(id)) reuse[id] = previous.steps[id]?.outputs as Record<string, unknown>;
  return reuse;
}
