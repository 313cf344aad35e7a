import { describe, expect, it } from 'vitest';
import { parseNcrontab, resolveAppSettings } from '../../local/timers/ncrontab.js';

describe('NCRONTAB schedules', () => {
  it('reads six fields, seconds first, in UTC', () => {
    const schedule = parseNcrontab('*/15 * * * * *');
    expect(schedule.next(new Date('2026-01-01T00:00:01Z')).toISOString()).toBe('2026-01-01T00:00:15.000Z');
    const daily = parseNcrontab('0 30 9 * * *');
    expect(daily.next(new Date('2026-01-01T10:00:00Z')).toISOString()).toBe('2026-01-02T09:30:00.000Z');
  });

  it('refuses five-field cron and nonsense, saying why', () => {
    expect(() => parseNcrontab('*/5 * * * *')).toThrow(/schedule "\*\/5 \* \* \* \*" must be an NCRONTAB expression of 6 fields .*, not 5/);
    expect(() => parseNcrontab('a b c d e f')).toThrow(/is not a valid NCRONTAB expression/);
  });

  it('resolves %SETTING% from app settings and names a missing one', () => {
    expect(resolveAppSettings('%EVERY%', { EVERY: '0 * * * * *' })).toBe('0 * * * * *');
    expect(() => resolveAppSettings('%MISSING%', {})).toThrow(/"MISSING" is not set/);
  });
});
