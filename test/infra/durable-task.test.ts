import { describe, expect, it } from 'vitest';
import { allowedValues, blockAfter, read, resource, stripComments } from './bicep-source.js';

/**
 * The Durable Task Scheduler refuses a retention policy longer than its SKU keeps data, and a
 * Dedicated scheduler without a capacity. Limits from the scheduler's documentation (Consumption
 * keeps orchestration data up to 30 days, Dedicated up to 90), written here independently of the
 * Bicep so that raising one there fails this test.
 */
const documentedLimitDays: Record<string, number> = { Consumption: 30, Dedicated: 90 };

const modulePath = 'infra/modules/durable-task.bicep';
const durableTask = stripComments(read(modulePath));

/** The Bicep's own limit table, `var retentionLimitDays = { Sku: days ... }`. */
function bicepLimits(): Record<string, number> {
  const body = blockAfter(durableTask, /var retentionLimitDays = \{/);
  const limits = Object.fromEntries([...body.matchAll(/^\s*(\w+):\s*(\d+)\s*$/gm)].map((m) => [m[1] as string, Number(m[2])]));
  expect(Object.keys(limits).length, `${modulePath}: var retentionLimitDays has no entries`).toBeGreaterThan(0);
  return limits;
}

/** A retentionPeriodInDays expression's value for one SKU; anything else fails, to be taught here. */
function daysFor(expression: string, sku: string): number {
  if (/^\d+$/.test(expression)) return Number(expression);
  const alias = new RegExp(`^var\\s+${expression}\\s*=\\s*retentionLimitDays\\[skuName\\]\\s*$`, 'm');
  if (alias.test(durableTask)) return bicepLimits()[sku] as number;
  throw new Error(`${modulePath}: cannot evaluate retentionPeriodInDays: ${expression}`);
}

describe('Durable Task Scheduler: retention and capacity valid for each SKU', () => {
  const skus = allowedValues(durableTask, 'skuName');

  it('the SKUs offered are the ones whose limits are known, in the module and in main.bicep', () => {
    expect([...skus].sort()).toEqual(Object.keys(documentedLimitDays).sort());
    expect([...allowedValues(read('infra/main.bicep'), 'durableTaskSku')].sort()).toEqual([...skus].sort());
  });

  it("the Bicep's limit per SKU is the documented one", () => {
    expect(bicepLimits()).toEqual(documentedLimitDays);
  });

  it.each(Object.keys(documentedLimitDays))('every retention policy on %s is within the SKU limit', (sku) => {
    const policies = blockAfter(resource(durableTask, 'retention').body, /retentionPolicies:\s*\[/, '[');
    const days = [...policies.matchAll(/retentionPeriodInDays:\s*([\w.[\]]+)/g)].map((m) => daysFor(m[1] as string, sku));
    expect(days.length, `${modulePath}: no retentionPeriodInDays found`).toBe(2);
    for (const value of days) {
      expect(value, `${modulePath}: a ${value}-day policy on ${sku} (limit ${documentedLimitDays[sku]})`).toBeLessThanOrEqual(documentedLimitDays[sku] as number);
      expect(value).toBeGreaterThanOrEqual(1);
    }
  });

  it('a Dedicated scheduler gets a capacity, a Consumption one none', () => {
    const scheduler = resource(durableTask, 'scheduler');
    expect(scheduler.body).toMatch(/sku:\s*skuName == 'Dedicated' \? \{ name: skuName, capacity: dedicatedCapacity \} : \{ name: skuName \}/);
    expect(allowedValues(durableTask, 'dedicatedCapacity')).toEqual(['1', '3']);
    expect(stripComments(read('infra/main.bicep'))).toMatch(/dedicatedCapacity:\s*durableTaskCapacity/);
  });
});
