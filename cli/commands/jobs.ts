import type { Command } from 'commander';
import type { JobView } from '../../shared/features/job-records.js';
import { clientFor, CliError, expectStatus, printJson, type GlobalOptions } from '../context.js';
import { say, table } from '../output.js';

const states = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

export function registerJobs(program: Command): void {
  program
    .command('jobs')
    .description('Long feature jobs (materialization, training sets), newest first')
    .option('--state <state>', `only jobs in this state (${states.join(', ')})`, (value: string) => {
      if (!(states as readonly string[]).includes(value)) throw new CliError(`--state is one of ${states.join(', ')}`, 2);
      return value as (typeof states)[number];
    })
    .option('--limit <n>', 'at most this many', '20')
    .action(async (options: { state?: (typeof states)[number]; limit: string }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const answer = expectStatus<{ jobs: JobView[] }>('listing jobs', await clientFor(globals).call('list-jobs', { query: { limit: options.limit, ...(options.state ? { state: options.state } : {}) } }), 200);
      if (globals.json) return printJson(answer);
      if (!answer.jobs.length) return say('no jobs');
      say(
        table(
          ['id', 'kind', 'state', 'progress', 'created', 'ended', 'error'],
          answer.jobs.map((job) => [job.id, job.kind, job.state, `${job.progress.done}/${job.progress.total} ${job.progress.unit}`, job.createdAt, job.endedAt ?? '-', job.error ? `${job.error.code}: ${job.error.message}` : '-']),
        ),
      );
    });
}
