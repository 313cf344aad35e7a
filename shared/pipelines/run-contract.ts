import type { ScheduleState } from './dag.js';
import type { RunDocument, StepRecord } from './runs.js';
import type { PipelineSpec, RetryPolicy } from './spec.js';

/**
 * What the pipeline orchestrators and their activities exchange. Orchestrators import only
 * this, the pure DAG logic and durable-functions: they cannot reach I/O by construction.
 */
export const orchestratorNames = { run: 'pipeline-run' } as const;
export const activityNames = {
  load: 'pipeline-load',
  record: 'pipeline-record',
  reconcile: 'pipeline-reconcile',
  step: 'pipeline-step',
} as const;

/** The one external event a run waits for: a step finished, or someone asked to cancel. */
export const signalEvent = 'pipeline-signal';

export type PipelineSignal =
  | { kind: 'step'; stepId: string; outcome: 'succeeded' | 'failed'; outputs?: Record<string, unknown>; error?: string }
  | { kind: 'cancel' };

export interface StepInvocation {
  runId: string;
  stepId: string;
  uses: string;
  with: Record<string, unknown>;
  retry?: RetryPolicy;
  timeoutSeconds?: number;
}

export interface RunCarry {
  schedule: ScheduleState;
  outputs: Record<string, Record<string, unknown>>;
  cancelled: boolean;
  failed: boolean;
  execution: number;
}

/**
 * Only the run's id: the orchestration is started through the durable API, whose callers are
 * not all the app, so what a run does (spec, params, reused outputs) is loaded from the run's
 * record and the registry, never taken from the input.
 */
export interface PipelineRunInput {
  runId: string;
  /** State handed to the next execution by continueAsNew, which bounds history on big DAGs. */
  carry?: RunCarry;
}

export interface LoadRunRequest {
  runId: string;
  /** A later execution (after continueAsNew) continues a running run; the first starts a pending one. */
  continued: boolean;
}

/** What a run does, as recorded when it was started: the registered spec of its version. */
export interface LoadedRun {
  spec: PipelineSpec;
  params: Record<string, unknown>;
  /** Outputs of steps reused from an earlier run (a retry): they are `cached`, not run. */
  reuse: Record<string, Record<string, unknown>>;
}

export interface RecordRequest {
  runId: string;
  /** The pipeline's name, for metrics. */
  pipeline: string;
  run?: Partial<Pick<RunDocument, 'state' | 'startedAt' | 'endedAt'>>;
  steps?: Record<string, Partial<StepRecord>>;
}

export interface ReconcileRequest {
  runId: string;
  stepIds: string[];
}
