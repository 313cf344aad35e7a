import type { StepType } from '../step-type.js';
import { blobExtractStep } from './blob-extract.js';
import { blobLoadStep } from './blob-load.js';
import { duckdbSqlStep } from './duckdb-sql.js';
import { httpCallStep } from './http-call.js';
import { noopStep } from './noop.js';
import { sleepStep } from './sleep.js';

/**
 * The engine's own generic step types, by the name a spec's `uses` gives. Capabilities own
 * their step types (features.materialize, drift.run, ...); the composition root registers them.
 */
export const builtInStepTypes: ReadonlyMap<string, StepType> = new Map<string, StepType>(
  [noopStep, sleepStep, httpCallStep, blobExtractStep, duckdbSqlStep, blobLoadStep].map((stepType): [string, StepType] => [stepType.name, stepType]),
);
