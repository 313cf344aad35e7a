import type { z } from 'zod';
import type { ErrorDetail } from './errors.js';

/**
 * Schema problems as the error body's details, each naming its field as a caller writes it
 * (`items[0].vector`, `filter.color`). Host-agnostic, so the core can validate without
 * importing the Azure-bound HTTP helpers.
 */
export function zodDetails(issues: readonly z.core.$ZodIssue[], prefix = ''): ErrorDetail[] {
  return issues.map((issue) => ({ field: formatPath(issue.path, prefix), problem: issue.message }));
}

function formatPath(path: readonly PropertyKey[], prefix: string): string {
  let out = prefix;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(body)';
}
