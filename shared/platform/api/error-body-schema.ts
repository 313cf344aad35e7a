import { z } from 'zod';

/**
 * The one error body of errors.ts (`ErrorBody`) as a schema, for the API's contract. `details`
 * names each field and its problem, or, for a few codes (not_found, conflict,
 * dependency_unavailable), is an object saying which thing.
 */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    code: z.string().describe('validation_failed, invalid_json, not_found, conflict, unauthorized, dependency_unavailable, ...'),
    message: z.string(),
    details: z.array(z.strictObject({ field: z.string(), problem: z.string() })),
  }),
});
