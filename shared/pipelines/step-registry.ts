import type { StepType } from './step-type.js';

/**
 * The step types a spec's `uses` may name: Arbor's built-ins plus those an app registers (in
 * functions/, at load time, so both hosts know the same set). Each runs inside the
 * `pipeline-step` activity, which gives every type the same attempts, timeouts and records.
 */
const registered = new Map<string, StepType>();

export function registerStepType(stepType: StepType): void {
  if (registered.has(stepType.name)) throw new Error(`step type "${stepType.name}" is already registered`);
  registered.set(stepType.name, stepType);
}

export function stepTypeNamed(name: string): StepType | undefined {
  return registered.get(name);
}

export function knownStepTypes(): ReadonlySet<string> {
  return new Set(registered.keys());
}
