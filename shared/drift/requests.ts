import { z } from 'zod';
import { blobName, dataContainerName } from '../storage/blob-names.js';
import { timestampSchema } from '../features/rows.js';

/** A time window of a view's offline data: absolute, or the last N hours before the run. */
export const windowSchema = z.union([
  z
    .strictObject({ start: timestampSchema, end: timestampSchema })
    .refine((w) => Date.parse(w.start) < Date.parse(w.end), { message: 'must be after start', path: ['end'] }),
  z.strictObject({ lastHours: z.number().positive().max(24 * 366) }),
]);

export const testNames = ['psi', 'ks', 'wasserstein', 'wasserstein_normed', 'chi_square', 'jensen_shannon', 'proportions'] as const;
export type TestName = (typeof testNames)[number];

const profileName = z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/, 'letters, digits, _ . - (1-100)');

export const driftRunSchema = z.strictObject({
  view: z.string().min(1),
  reference: z.union([windowSchema, z.strictObject({ profile: profileName })]),
  current: windowSchema,
  /** A bool (or 0/1) feature whose rate is tested for label or prediction drift. */
  label: z.string().optional(),
  /** Per feature: which test decides, and its threshold. */
  tests: z.record(z.string(), z.strictObject({ test: z.enum(testNames).optional(), threshold: z.number().positive().optional() })).optional(),
});

export const profileRequestSchema = z
  .strictObject({
    name: profileName,
    view: z.string().min(1),
    window: windowSchema.optional(),
    /** A training set (parquet from /api/features/historical): its `view:feature` columns. */
    trainingSet: z.strictObject({ container: dataContainerName, name: blobName }).optional(),
  })
  .refine((body) => (body.window === undefined) !== (body.trainingSet === undefined), {
    message: 'give exactly one of "window" or "trainingSet"',
    path: ['window'],
  });

export type DriftWindow = z.output<typeof windowSchema>;
export type DriftRunRequest = z.output<typeof driftRunSchema>;
export type ProfileRequest = z.output<typeof profileRequestSchema>;

export function resolveWindow(window: DriftWindow, now: Date): { start: Date; end: Date } {
  if ('lastHours' in window) return { start: new Date(now.getTime() - window.lastHours * 3_600_000), end: now };
  return { start: new Date(window.start), end: new Date(window.end) };
}
