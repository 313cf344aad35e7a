import type { z } from 'zod';
import type { Services } from '../platform/services.js';
import type { BlobRef } from '../storage/blob-files.js';

export interface StepContext {
  services: Services;
  runId: string;
  stepId: string;
  /** 1 for the first attempt; retries count up. */
  attempt: number;
  /** Aborted when the step's timeoutSeconds passes; long work should stop. */
  signal: AbortSignal;
  /** Record lineage: every blob the step read or wrote. */
  lineage: { read(blob: BlobRef): void; wrote(blob: BlobRef): void };
}

/**
 * A step type: what `uses` names in a pipeline spec. `input` validates the step's resolved
 * `with` (at registration time where it has no expressions, and again before running);
 * `run` returns small JSON outputs: anything large goes to blob storage and is returned as a
 * reference.
 */
export interface StepType<Input extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  input: Input;
  run(input: z.output<Input>, context: StepContext): Promise<Record<string, unknown>>;
}

/** Helps a step type keep its input and run types in step. */
export function defineStepType<Input extends z.ZodType>(stepType: StepType<Input>): StepType<Input> {
  return stepType;
}

/** The container where steps stage intermediate data, by run and step. */
export const pipelineContainer = 'pipelines';

export function stagingBlob(runId: string, stepId: string, file: string): BlobRef {
  return { container: pipelineContainer, name: `runs/${runId}/${stepId}/${file}` };
}
