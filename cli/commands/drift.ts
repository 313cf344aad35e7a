import type { Command } from 'commander';
import type { DriftReport } from '../../shared/drift/report.js';
import { clientFor, CliError, expectStatus, formatNumber, printJson, type GlobalOptions } from '../context.js';
import { say, table } from '../output.js';

function hours(value: string): number {
  const number = Number(value);
  if (!(number > 0)) throw new CliError(`hours must be a positive number, not "${value}"`, 2);
  return number;
}

export function printDrift(report: DriftReport): void {
  const reference = 'profile' in report.reference ? `profile ${report.reference.profile}` : `${report.reference.start} .. ${report.reference.end}`;
  say(`drift of ${report.view} at ${report.ranAt}: ${report.drifted ? 'DRIFTED' : 'no drift'}`);
  say(`  reference ${reference} (${report.quality.rows.reference} rows); current ${report.current.start} .. ${report.current.end} (${report.quality.rows.current} rows)`);
  say(
    table(
      ['feature', 'test', 'score', 'threshold', 'drifted', 'null rate ref/cur', 'note'],
      Object.entries(report.features).map(([feature, drift]) => {
        const quality = report.quality.features[feature];
        return [
          feature,
          drift.test,
          formatNumber(drift.score ?? undefined, 4),
          formatNumber(drift.threshold ?? undefined, 4),
          drift.drifted ? 'yes' : 'no',
          quality ? `${formatNumber(quality.nullRate.reference, 3)}/${formatNumber(quality.nullRate.current, 3)}` : '-',
          drift.reason ?? '-',
        ];
      }),
    ),
  );
}

export function registerDrift(program: Command): void {
  program
    .command('drift')
    .description("Runs a drift check of a view now (current window against a reference) and shows each feature's score against its threshold")
    .argument('<view>')
    .option('--reference-hours <n>', 'the reference: the last N hours before the current window', hours, 168)
    .option('--current-hours <n>', 'the current window: the last M hours', hours, 24)
    .option('--reference-profile <name>', 'compare with a stored reference profile instead of a window')
    .option('--latest', 'show the newest stored report instead of running a check')
    .action(async (view: string, options: { referenceHours: number; currentHours: number; referenceProfile?: string; latest?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = clientFor(globals);
      let report: DriftReport;
      if (options.latest) {
        report = expectStatus<{ latest: DriftReport }>(`reading drift reports of ${view}`, await client.call('get-drift-reports', { params: { view }, query: { limit: 1 } }), 200).latest;
      } else {
        // The reference ends where the current window starts: the M hours before now, then the N before those.
        const now = Date.now();
        const currentStart = new Date(now - options.currentHours * 3_600_000);
        const reference = options.referenceProfile
          ? { profile: options.referenceProfile }
          : { start: new Date(currentStart.getTime() - options.referenceHours * 3_600_000).toISOString(), end: currentStart.toISOString() };
        const body = { view, reference, current: { start: currentStart.toISOString(), end: new Date(now).toISOString() } };
        report = expectStatus<DriftReport>(`running a drift check of ${view}`, await client.call('run-drift', { body }), 200);
      }
      if (globals.json) printJson(report);
      else printDrift(report);
    });
}
