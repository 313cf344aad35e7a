import { CorruptDocumentError } from '../storage/cosmos.js';
import { DependencyUnavailableError } from '../storage/dependency.js';
import { SettingsError } from './settings.js';

/**
 * One error model for every entry point. An ArborError says whose fault it is (the caller's,
 * a dependency's, or ours) by its status; anything else thrown is our bug and is reported as a
 * 500 without its stack.
 */
export interface ErrorDetail {
  /** The input that is wrong: a body path (`steps[2].id`), a route parameter, a header, a setting. */
  field: string;
  problem: string;
}

/** One shape for every error: `details` is always a list, each naming what it is about and the problem. */
export interface ErrorBody {
  error: { code: string; message: string; details: ErrorDetail[] };
}

export class ArborError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }

  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

/** The caller sent something we cannot accept. Nothing was changed. */
export class BadRequestError extends ArborError {
  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super(400, code, message, details);
  }
}

export class ValidationError extends BadRequestError {
  constructor(details: ErrorDetail[], message = describeDetails(details)) {
    super('validation_failed', message, details);
  }
}

export class UnauthorizedError extends ArborError {
  constructor(message: string) {
    super(401, 'unauthorized', message);
  }
}

export class NotFoundError extends ArborError {
  constructor(what: string, id: string) {
    super(404, 'not_found', `${what} "${id}" does not exist`, [{ field: what, problem: `"${id}" does not exist` }]);
  }
}

/** The request conflicts with the state of what it names; `code` says which conflict when a caller can act on it. */
export class ConflictError extends ArborError {
  constructor(message: string, details: ErrorDetail[] = [], code = 'conflict') {
    super(409, code, message, details);
  }
}

/**
 * Errors of the floors below that say whose fault it is, in the one error model; undefined
 * for anything else (our bug).
 */
export function asArborError(error: unknown): ArborError | undefined {
  if (error instanceof ArborError) return error;
  if (error instanceof DependencyUnavailableError) return new ArborError(503, 'dependency_unavailable', error.message, [{ field: error.dependency, problem: 'is unavailable; try again shortly' }]);
  if (error instanceof SettingsError) {
    return new ArborError(503, 'not_configured', 'the app settings are missing or malformed', error.problems.map(settingDetail));
  }
  if (error instanceof CorruptDocumentError) {
    return new ArborError(500, 'corrupt_document', error.message, error.problems.map((p) => ({ field: `${error.container}/${error.id}: ${p.field}`, problem: p.problem })));
  }
  return undefined;
}

/** A settings problem, `NAME: what is wrong`, as an error detail naming the setting. */
function settingDetail(problem: string): ErrorDetail {
  const colon = problem.indexOf(': ');
  return colon > 0 ? { field: problem.slice(0, colon), problem: problem.slice(colon + 2) } : { field: '(settings)', problem };
}

/** A dependency this function needs has no setting: configure it and this function works, the others already do. */
export class NotConfiguredError extends ArborError {
  constructor(setting: string, what: string) {
    super(503, 'not_configured', `${what} is not configured: set ${setting}`, [{ field: setting, problem: 'is not set' }]);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function describeDetails(details: ErrorDetail[]): string {
  const first = details[0];
  if (!first) return 'the request is invalid';
  const more = details.length > 1 ? ` (and ${details.length - 1} more problem${details.length > 2 ? 's' : ''})` : '';
  return `${first.field}: ${first.problem}${more}`;
}
