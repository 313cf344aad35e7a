import { CronExpressionParser } from 'cron-parser';

/**
 * The most recent time a pipeline's NCRONTAB schedule came due, if it is at or after
 * `notBefore` (its registration, so a new pipeline does not start runs for the past) and no
 * older than `lookBackMs` (a host down for a day starts one run, not hundreds).
 */
export function latestDueTime(schedule: string, now: Date, notBefore: Date, lookBackMs: number): Date | undefined {
  const due = CronExpressionParser.parse(schedule, { tz: 'UTC', currentDate: new Date(now.getTime() + 1) }).prev().toDate();
  if (due < notBefore || now.getTime() - due.getTime() > lookBackMs) return undefined;
  return due;
}
