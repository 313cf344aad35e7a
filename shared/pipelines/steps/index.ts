import type { StepType } from '../step-type.js';
import { blobExtractStep } from './blob-extract.js';
import { blobLoadStep } from './blob-load.js';
import { driftRunStep } from './drift-run.js';
import { duckdbSqlStep } from './duckdb-sql.js';
import { featuresMaterializeStep } from './features-materialize.js';
import { httpCallStep } from './http-call.js';
import { noopStep } from './noop.js';
import { sleepStep } from './sleep.js';

/** Arbor's built-in step types, by the name a spec's `uses` gives. */
export const builtInStepTypes: ReadonlyMap<string, StepType> = new Map<string, StepType>(
  [noopStep, sleepStep, httpCallStep, blobExtractStep, duckdbSqlStep, blobLoadStep, driftRunStep, featuresMaterializeStep].map((stepType): [string, StepType] => [stepType.name, stepType]),
);
