/**
 * The shape of a pipeline spec: what a user may write, and the types the rest of Arbor reads
 * after validation. Shape only: cross-field rules (dependencies, cycles, references, schedules)
 * live in validate.ts, so always admit a spec through `validatePipeline`, never through
 * `PipelineSpecSchema.parse` alone.
 */
import { z } from 'zod';
import { nameRuleMessage, namePattern } from '../platform/names.js';

/** The platform's one naming rule (shared/platform/names.ts). */
export const PIPELINE_NAME_PATTERN = namePattern;
export const STEP_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
// Param names must start with a letter so that `__proto__` and friends can never be one: zod
// silently drops such record keys, which would make a declared param vanish.
export const PARAM_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

export const DEFAULT_MAX_PARALLEL = 8;
export const MAX_STEPS = 5000;

export const PARAM_TYPES = ['string', 'number', 'boolean', 'object'] as const;
export type ParamType = (typeof PARAM_TYPES)[number];

const stepId = z
  .string()
  .regex(STEP_ID_PATTERN, { error: 'must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"' })
  // The orchestrator keys step outputs by id in plain objects, where this key would replace
  // the prototype instead of storing an output.
  .refine((id) => id !== '__proto__', { error: '"__proto__" is reserved' });

export const ParamSpecSchema = z.strictObject({
  type: z.enum(PARAM_TYPES),
  default: z.unknown().optional(),
  required: z.boolean().default(false),
  description: z.string().max(1000).optional(),
});

export const RetryPolicySchema = z.strictObject({
  /** Total attempts including the first, so 1 means "never retry". */
  attempts: z.int().min(1).max(10),
  // Durable Functions' RetryOptions throws for a first retry interval of 0, so a spec that
  // allowed 0 would validate and then crash its orchestrator.
  backoffSeconds: z.number().positive().max(86_400).default(1),
  backoffCoefficient: z.number().min(1).max(10).default(2),
});

export const StepSpecSchema = z.strictObject({
  id: stepId,
  uses: z.string().min(1).max(200),
  with: z.record(z.string(), z.unknown()).default(() => ({})),
  dependsOn: z.array(z.string()).max(MAX_STEPS).default(() => []),
  retry: RetryPolicySchema.optional(),
  timeoutSeconds: z.int().min(1).max(86_400).optional(),
  cache: z.boolean().default(false),
});

export const PipelineSpecSchema = z.strictObject({
  name: z.string().regex(PIPELINE_NAME_PATTERN, nameRuleMessage),
  version: z.int().positive().default(1),
  description: z.string().max(2000).optional(),
  params: z
    .record(
      z.string().regex(PARAM_NAME_PATTERN, {
        error: 'must start with a letter and have 1-64 characters of A-Z, a-z, 0-9, "_" or "-"',
      }),
      ParamSpecSchema,
    )
    .default(() => ({})),
  maxParallel: z.int().min(1).max(256).default(DEFAULT_MAX_PARALLEL),
  /** NCRONTAB, six fields with seconds first; checked in validate.ts. */
  schedule: z.string().optional(),
  /** Runs started by data: a new version of a file landed for `dataset` under `prefix` (landed-runs.ts). */
  on: z
    .strictObject({
      landed: z.strictObject({
        dataset: z.string().min(1).max(63),
        /** Of the file's name within its dataset (`2026/` matches `2026/jan.csv`). */
        prefix: z.string().max(1_024).default(''),
        /** The string param that receives `<dataset>/<file>`, the file's name in the landing container. */
        param: z.string().regex(PARAM_NAME_PATTERN, { error: 'must name a param' }).default('file'),
      }),
    })
    .optional(),
  steps: z.array(StepSpecSchema).min(1).max(MAX_STEPS),
});

/** A spec after validation, with every default filled in. */
export type PipelineSpec = z.output<typeof PipelineSpecSchema>;
/** A spec as a user writes it: defaults may be left out. */
export type PipelineSpecInput = z.input<typeof PipelineSpecSchema>;
export type StepSpec = z.output<typeof StepSpecSchema>;
export type StepSpecInput = z.input<typeof StepSpecSchema>;
export type ParamSpec = z.output<typeof ParamSpecSchema>;
export type ParamSpecInput = z.input<typeof ParamSpecSchema>;
export type RetryPolicy = z.output<typeof RetryPolicySchema>;
export type RetryPolicyInput = z.input<typeof RetryPolicySchema>;
