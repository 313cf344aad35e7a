import { CronExpressionParser } from 'cron-parser';

/**
 * Why an expression is not an NCRONTAB schedule as Azure Functions reads it (six fields,
 * seconds first), or undefined when it is one. Timer settings, pipeline specs and the local
 * timer host all check schedules here, so they accept and refuse the same expressions.
 */
export function ncrontabProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter((field) => field !== '');
  if (fields.length !== 6) {
    return `must be an NCRONTAB expression of 6 fields (second minute hour day-of-month month day-of-week), not ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(fields.join(' '), { tz: 'UTC' });
    return undefined;
  } catch (error) {
    return `is not a valid NCRONTAB expression: ${error instanceof Error ? error.message : String(error)}`;
  }
}
