/**
 * Writing a pipeline spec in TypeScript. The builder only shapes the JSON and lets the compiler
 * catch what it can (a `dependsOn` naming a step not declared above); admitting the spec is
 * still `validatePipeline`'s job, exactly as for a spec posted as JSON.
 *
 *     pipeline('nightly')
 *       .params({ day: { type: 'string', required: true } })
 *       .step('extract', 'blob.extract', { with: { day: paramRef('day') } })
 *       .step('load', 'blob.load', { dependsOn: ['extract'], with: { rows: outputRef('extract', 'rows') } })
 *       .build();
 */
import type { ParamSpecInput, PipelineSpecInput, RetryPolicyInput, StepSpecInput } from './spec.js';

export interface StepOptions<Upstream extends string> {
  with?: Record<string, unknown>;
  dependsOn?: readonly Upstream[];
  retry?: RetryPolicyInput;
  timeoutSeconds?: number;
  cache?: boolean;
}

type Draft = Omit<PipelineSpecInput, 'steps' | 'params'> & {
  params?: Record<string, ParamSpecInput>;
  steps: StepSpecInput[];
};

/**
 * `StepIds` collects the ids of the steps added so far. Each call changes this builder and
 * returns it: copying on every `step` would make a 5,000-step pipeline quadratic to build.
 */
export class PipelineBuilder<StepIds extends string = never> {
  readonly #draft: Draft;

  constructor(name: string) {
    this.#draft = { name, steps: [] };
  }

  version(version: number): this {
    this.#draft.version = version;
    return this;
  }

  description(description: string): this {
    this.#draft.description = description;
    return this;
  }

  /** Adds to the params declared so far; a name given again is replaced. */
  params(params: Readonly<Record<string, ParamSpecInput>>): this {
    this.#draft.params = { ...this.#draft.params, ...params };
    return this;
  }

  maxParallel(maxParallel: number): this {
    this.#draft.maxParallel = maxParallel;
    return this;
  }

  // NCRONTAB, six fields with seconds first, e.g. '0 */5 * * * *' for every five minutes.
  schedule(ncrontab: string): this {
    this.#draft.schedule = ncrontab;
    return this;
  }

  step<Id extends string>(id: Id, uses: string, options: StepOptions<StepIds> = {}): PipelineBuilder<StepIds | Id> {
    const step: StepSpecInput = { id, uses };
    if (options.with !== undefined) step.with = options.with;
    if (options.dependsOn !== undefined) step.dependsOn = [...options.dependsOn];
    if (options.retry !== undefined) step.retry = { ...options.retry };
    if (options.timeoutSeconds !== undefined) step.timeoutSeconds = options.timeoutSeconds;
    if (options.cache !== undefined) step.cache = options.cache;
    this.#draft.steps.push(step);
    // Only the type parameter changes; the object is the same builder.
    return this as PipelineBuilder<StepIds | Id>;
  }

  /** The spec as plain JSON, copied so later builder calls do not change it. */
  build(): PipelineSpecInput {
    const { steps, params, ...rest } = this.#draft;
    const spec: PipelineSpecInput = { ...rest, steps: steps.map(copyStep) };
    if (params !== undefined) spec.params = { ...params };
    return spec;
  }
}

export function pipeline(name: string): PipelineBuilder {
  return new PipelineBuilder(name);
}

function copyStep(step: StepSpecInput): StepSpecInput {
  const copy: StepSpecInput = { ...step };
  if (step.dependsOn !== undefined) copy.dependsOn = [...step.dependsOn];
  if (step.retry !== undefined) copy.retry = { ...step.retry };
  return copy;
}
