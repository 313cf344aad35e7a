import { z } from 'zod';

/** Metadata values are flat: strings, finite numbers, booleans or null. */
export const metadataValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export type MetadataValue = z.output<typeof metadataValue>;
export type Metadata = Record<string, MetadataValue>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);

const condition = z
  .strictObject({
    eq: scalar.optional(),
    gt: z.union([z.number(), z.string()]).optional(),
    gte: z.union([z.number(), z.string()]).optional(),
    lt: z.union([z.number(), z.string()]).optional(),
    lte: z.union([z.number(), z.string()]).optional(),
    in: z.array(scalar).min(1).max(1_000).optional(),
  })
  .refine((value) => Object.keys(value).length > 0, 'needs at least one of eq, gt, gte, lt, lte, in');

/**
 * `{ "color": "red" }` equality, `{ "year": { "gte": 2020, "lt": 2024 } }` ranges,
 * `{ "tag": { "in": ["a", "b"] } }`; several fields are ANDed.
 */
export const filterSchema = z.record(z.string().min(1).max(128), z.union([scalar, condition]));
export type Filter = z.output<typeof filterSchema>;

type Condition = z.output<typeof condition>;

function compare(value: MetadataValue | undefined, bound: number | string): number | undefined {
  if (typeof value === 'number' && typeof bound === 'number') return value - bound;
  if (typeof value === 'string' && typeof bound === 'string') return value < bound ? -1 : value > bound ? 1 : 0;
  return undefined;
}

function satisfies(value: MetadataValue | undefined, test: Condition): boolean {
  if (test.eq !== undefined && value !== test.eq) return false;
  if (test.in !== undefined && !test.in.some((candidate) => candidate === value)) return false;
  const ranges: Array<[number | string | undefined, (c: number) => boolean]> = [
    [test.gt, (c) => c > 0],
    [test.gte, (c) => c >= 0],
    [test.lt, (c) => c < 0],
    [test.lte, (c) => c <= 0],
  ];
  for (const [bound, ok] of ranges) {
    if (bound === undefined) continue;
    const c = compare(value, bound);
    if (c === undefined || !ok(c)) return false;
  }
  return true;
}

/** A predicate over an item's metadata; a missing field or a type mismatch never matches. */
export function compileFilter(filter: Filter | undefined): ((metadata: Metadata | undefined) => boolean) | undefined {
  if (!filter || Object.keys(filter).length === 0) return undefined;
  const entries = Object.entries(filter);
  return (metadata) =>
    entries.every(([field, test]) => {
      const value = metadata?.[field];
      return typeof test === 'object' ? satisfies(value, test) : value === test;
    });
}
