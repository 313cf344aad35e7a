import { ArborError, type ErrorDetail } from '../platform/errors.js';

/**
 * A feature view the registry does not hold: 404 `unknown_view` on every route that names one
 * (online, push, historical, materialize, drift, ingest status), whichever field named it
 * (`view`, `features[2]`), so a caller can act on one code instead of telling a 400 from a 404
 * per route. The field is a thing that does not exist, not a malformed input: hence 404.
 */
export class UnknownViewError extends ArborError {
  constructor(details: ErrorDetail[]) {
    const first = details[0];
    const more = details.length > 1 ? ` (and ${details.length - 1} more)` : '';
    super(404, 'unknown_view', first ? `${first.field}: ${first.problem}${more}` : 'the feature view is not registered', details);
  }
}

/** The detail naming a view that is not registered, as every route says it. */
export function unknownViewDetail(field: string, view: string): ErrorDetail {
  return { field, problem: `"${view}" is not a registered feature view` };
}
