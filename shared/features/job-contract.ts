import type { JobError } from './job-records.js';

/**
 * What the feature-job orchestrator and its activities exchange. The orchestrator imports only
 * this and durable-functions, so it cannot reach I/O: the job's record in Cosmos DB, the
 * stores and the cancel flag are read and written by the activities.
 */
export const featureJobOrchestratorNames = { job: 'feature-job' } as const;
export const featureJobActivityNames = {
  plan: 'feature-job-plan',
  step: 'feature-job-step',
  finish: 'feature-job-finish',
} as const;

/** Only the job's id: what the job does is read from its record, never taken from the input. */
export interface FeatureJobInput {
  jobId: string;
}

/** One unit of a job's work, small enough for the orchestration's history. */
export type JobStep =
  /** Materialization: the partitions of event dates [from, to] (YYYY-MM-DD), `count` of them when planned. */
  | { kind: 'partitions'; from: string; to: string; count: number }
  /** Training set: entity rows of position [from, to). */
  | { kind: 'rows'; from: number; to: number };

/** What the plan fixed for every step: the data the job reads is the data there was when it started. */
export interface JobFrame {
  /** ISO time the job was planned: rows written later are left for the next run. */
  until: string;
  /** Incremental materialization: parts and rows written after this time (the watermark less its overlap). */
  since?: string;
  /** The view's watermark when the job started. */
  watermark?: string;
}

/** Counts a step reports; numbers add up across steps, strings (ISO times) keep the greatest. */
export type JobTally = Record<string, number | string>;

export type JobStop = { outcome: 'cancelled' } | { outcome: 'failed'; error: JobError };

export type JobPlan = { outcome: 'planned'; steps: JobStep[]; total: number; frame: JobFrame } | JobStop;

export interface JobStepRequest {
  jobId: string;
  index: number;
  step: JobStep;
  /** Progress before this step, so a repeated attempt writes the same progress. */
  doneBefore: number;
  frame: JobFrame;
}

export type JobStepOutcome = { outcome: 'done'; units: number; tally: JobTally } | (JobStop & { tally?: JobTally });

export interface JobFinishRequest {
  jobId: string;
  /** Every step's tally merged (mergeTally). */
  tally: JobTally;
  /** Steps that completed. */
  steps: number;
  frame?: JobFrame;
  stop?: JobStop;
}

/** Adds numbers, keeps the greater string: how step tallies make the job's. */
export function mergeTally(into: JobTally, more: JobTally): JobTally {
  const merged: JobTally = { ...into };
  for (const [key, value] of Object.entries(more)) {
    const before = merged[key];
    if (typeof value === 'number') merged[key] = (typeof before === 'number' ? before : 0) + value;
    else merged[key] = typeof before === 'string' && before > value ? before : value;
  }
  return merged;
}
