import { describe, expect, it } from 'vitest';
import { definitionsSchema, featureRefSchema } from '../../../shared/features/definitions.js';
import { datasetName } from '../../../shared/landing/datasets.js';
import { nameRuleMessage, nameSchema } from '../../../shared/platform/names.js';
import { PipelineSpecSchema } from '../../../shared/pipelines/spec.js';

/** The one naming rule (issue 19): the same names pass and fail, with the same message, everywhere. */
describe('the one naming rule', () => {
  const good = ['a', 'trip-stats', 'trip_stats', 'a1-b_2', `a${'x'.repeat(62)}`];
  const bad = ['', '9lives', '-a', '_a', 'Trips', 'a.b', 'a b', 'a:b', `a${'x'.repeat(63)}`];
  const checks: Array<[string, (name: string) => { success: boolean; error?: { issues: Array<{ message: string }> } }]> = [
    ['nameSchema', (n) => nameSchema.safeParse(n)],
    ['dataset', (n) => datasetName.safeParse(n)],
    ['pipeline', (n) => PipelineSpecSchema.safeParse({ name: n, steps: [{ id: 'a', uses: 'noop' }] })],
    ['entity', (n) => definitionsSchema.safeParse({ entities: [{ name: n, joinKeys: [{ name: 'id', type: 'int64' }] }] })],
    ['join key', (n) => definitionsSchema.safeParse({ entities: [{ name: 'e', joinKeys: [{ name: n, type: 'int64' }] }] })],
    ['view', (n) => definitionsSchema.safeParse({ featureViews: [{ name: n, entity: 'e', ttlSeconds: 0, features: [{ name: 'x', type: 'int64' }] }] })],
    ['feature', (n) => definitionsSchema.safeParse({ featureViews: [{ name: 'v', entity: 'e', ttlSeconds: 0, features: [{ name: n, type: 'int64' }] }] })],
  ];
  for (const [what, check] of checks) {
    it(`holds ${what} names to it`, () => {
      for (const name of good) expect(check(name).success, `${what} "${name}"`).toBe(true);
      for (const name of bad) {
        const result = check(name);
        expect(result.success, `${what} "${name}"`).toBe(false);
        expect(result.error?.issues.map((i) => i.message), `${what} "${name}"`).toContain(nameRuleMessage);
      }
    });
  }

  it('builds view:feature references from the same rule', () => {
    expect(featureRefSchema.safeParse('trip-stats:fare_avg').success).toBe(true);
    expect(featureRefSchema.safeParse('trip-stats:9x').success).toBe(false);
    expect(featureRefSchema.safeParse('trip-stats').success).toBe(false);
  });
});
