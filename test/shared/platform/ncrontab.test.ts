import { describe, expect, it } from 'vitest';
import { ncrontabProblem } from '../../../shared/platform/ncrontab.js';

describe('NCRONTAB expressions as Azure Functions reads them', () => {
  it('accepts six fields, seconds first, however they are spaced', () => {
    expect(ncrontabProblem('0 */5 * * * *')).toBeUndefined();
    expect(ncrontabProblem('  30\t0  9 * * 1-5  ')).toBeUndefined();
    expect(ncrontabProblem('0 0 0 1 1 *')).toBeUndefined();
  });

  it('counts the fields it was given when there are not six', () => {
    const fieldsProblem = (n: number) => `must be an NCRONTAB expression of 6 fields (second minute hour day-of-month month day-of-week), not ${n}`;
    expect(ncrontabProblem('*/5 * * * *')).toBe(fieldsProblem(5));
    expect(ncrontabProblem('0 0 * * * * *')).toBe(fieldsProblem(7));
    expect(ncrontabProblem('')).toBe(fieldsProblem(0));
    expect(ncrontabProblem('   ')).toBe(fieldsProblem(0));
  });

  it('says why six fields are not a schedule', () => {
    for (const expression of ['61 * * * * *', '0 60 * * * *', '0 0 25 * * *', '0 0 0 32 * *', 'a b c d e f']) {
      expect(ncrontabProblem(expression), expression).toMatch(/^is not a valid NCRONTAB expression: \S/);
    }
  });
});
