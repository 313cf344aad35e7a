import { z } from 'zod';
import { jobIdPattern, jobStates } from './job-records.js';

/** The jobs API's route and query parameters, validated at the edge. */
export const jobIdParam = z.string().regex(jobIdPattern, 'is not a job id (job-<kind>-<time>-<8 hex>)');
export const jobLimitQuery = z
  .string()
  .regex(/^[1-9]\d{0,2}$/, 'must be a whole number from 1 to 100')
  .transform(Number)
  .refine((n) => n <= 100, 'must be a whole number from 1 to 100')
  .default(20);
export const jobStateQuery = z.enum(jobStates).optional();
