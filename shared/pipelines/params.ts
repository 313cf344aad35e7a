import type { ErrorDetail } from '../platform/errors.js';
import type { ParamSpec } from './spec.js';

/**
 * A run's parameters checked against the pipeline's declarations: defaults filled in, required
 * ones present, types right, undeclared ones refused. Every problem is reported at once.
 */
export function resolveRunParams(
  declared: Readonly<Record<string, ParamSpec>>,
  given: Readonly<Record<string, unknown>>,
): { ok: true; params: Record<string, unknown> } | { ok: false; problems: ErrorDetail[] } {
  const problems: ErrorDetail[] = [];
  const params: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) problems.push({ field: `params.${name}`, problem: 'is not a parameter of this pipeline' });
  }
  for (const [name, spec] of Object.entries(declared)) {
    const value = Object.hasOwn(given, name) ? given[name] : spec.default;
    if (value === undefined) {
      if (spec.required) problems.push({ field: `params.${name}`, problem: 'is required' });
      continue;
    }
    const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
    const fits = spec.type === 'object' ? actual === 'object' || actual === 'array' : actual === spec.type;
    if (!fits) problems.push({ field: `params.${name}`, problem: `must be of type ${spec.type}, got ${actual}` });
    else params[name] = value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, params };
}
