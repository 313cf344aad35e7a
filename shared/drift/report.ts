import type { DriftEvaluation } from './evaluate.js';

/** A drift run's result, as stored and served (its own module: the store and the run both use it). */
export interface DriftReport extends DriftEvaluation {
  view: string;
  ranAt: string;
  reference: { start: string; end: string } | { profile: string };
  current: { start: string; end: string };
  label?: string;
}
