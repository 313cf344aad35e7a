import { CronExpressionParser } from 'cron-parser';

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
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) {
    throw new Error(`schedule "${expression}" has ${fields.length} fields; NCRONTAB needs 6 (second minute hour day month weekday)`);
  }
  try {
    CronExpressionParser.parse(expression, { tz: 'UTC' });
  } catch (error) {
    throw new Error(`schedule "${expression}" is not valid NCRONTAB: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    expression,
    next(from) {
      return CronExpressionParser.parse(expression, { tz: 'UTC', currentDate: from }).next().toDate();
    },
  };
}
