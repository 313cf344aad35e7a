import { ArborError } from '../platform/errors.js';
import { EgressRefusedError } from '../platform/egress.js';

/** A failure that retrying cannot fix: the same input fails the same way every time. */
export class PermanentStepError extends Error {
  override name = 'PermanentStepError';
}

/** DuckDB's errors about the query itself, not the moment it ran (a wrong column, bad syntax). */
const duckdbQueryError = /\b(?:Binder|Parser|Catalog) Error:/;

/** Statuses that mean "not now" rather than "never". */
const transientClientStatuses = new Set([408, 409, 425, 429]);

/**
 * Whether a step's failure is worth another attempt. Permanent: the step's own input refused
 * (a 4xx from validation), a query DuckDB cannot bind or parse, egress the policy refuses, and
 * anything a step type marks so. Everything else (timeouts, 5xx, dependencies down) is
 * transient and gets the retry policy.
 */
export function isPermanent(error: unknown): boolean {
  if (error instanceof PermanentStepError || error instanceof EgressRefusedError) return true;
  if (error instanceof ArborError) return error.status >= 400 && error.status < 500 && !transientClientStatuses.has(error.status);
  return error instanceof Error && duckdbQueryError.test(error.message);
}

export function isTransientStatus(status: number): boolean {
  return status >= 500 || transientClientStatuses.has(status);
}
