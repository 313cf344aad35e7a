import { z } from 'zod';
import { PIPELINE_NAME_PATTERN } from './spec.js';

export const pipelineNameParam = z.string().regex(PIPELINE_NAME_PATTERN, 'is not a valid pipeline name');
export const runIdParam = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,150}$/, 'is not a valid run id');
export const startRunBody = z.strictObject({ params: z.record(z.string(), z.unknown()).default(() => ({})) });

/** `?version=N`: a registered version number; anything else is a 400, not silently the latest. */
export const pipelineVersionQuery = z
  .string()
  .regex(/^[1-9]\d{0,8}$/, 'must be a version number (1, 2, ...)')
  .transform(Number)
  .optional();

/** `POST /runs/{id}/retry?version=latest` runs the newest spec; without it, the run's own version. */
export const retryVersionQuery = z.literal('latest', { error: 'must be "latest", or left out for the version the run used' }).optional();
