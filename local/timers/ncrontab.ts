import { CronExpressionParser } from 'cron-parser';
import { ncrontabProblem } from '../../shared/platform/ncrontab.js';

export interface TimerSchedule {
  expression: string;
  /** The next fire time strictly after `from`. */
  next(from: Date): Date;
}

/** `%NAME%` in a binding property is replaced by the app setting NAME, as the Functions host does. */
export function resolveAppSettings(value: string, settings: Readonly<Record<string, string | undefined>>): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => {
    const resolved = settings[name];
    if (resolved === undefined || resolved === '') throw new Error(`the app setting "${name}" is not set`);
    return resolved;
  });
}

/**
 * An NCRONTAB schedule: six fields, seconds first, evaluated in UTC (Azure's default unless
 * WEBSITE_TIME_ZONE says otherwise).
 */
export function parseNcrontab(expression: string): TimerSchedule {
  const problem = ncrontabProblem(expression);
  if (problem) throw new Error(`schedule "${expression}" ${problem}`);
  return {
    expression,
    next(from) {
      return CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: from }).next().toDate();
    },
  };
}
