import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { ArborClient } from '../../client/arbor-client.js';
import type { JobView } from '../../shared/features/job-records.js';
import { clientFor, CliError, expectStatus, printJson, type GlobalOptions } from '../context.js';
import { elapsed, say } from '../output.js';

const finished = new Set(['succeeded', 'failed', 'cancelled']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Follows a job to its end: a line per state change, a bar of its progress on a terminal. */
export async function followJob(client: ArborClient, jobId: string, globals: GlobalOptions): Promise<JobView> {
  const start = Date.now();
  const tty = !globals.json && process.stdout.isTTY === true;
  const bars = tty ? new cliProgress.MultiBar({ format: '{bar} {value}/{total} {unit} | {duration_formatted}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic) : undefined;
  const bar = bars?.create(1, 0, { unit: '' });
  const line = (text: string) => (bars ? bars.log(`${text}\n`) : globals.json ? undefined : say(text));
  let state = '';
  let job: JobView;
  for (;;) {
    job = expectStatus<JobView>(`reading job ${jobId}`, await client.call('get-job', { params: { id: jobId } }), 200);
    if (job.state !== state) line(`[${elapsed(start).padStart(7)}] job ${jobId}: ${state || 'created'} -> ${job.state} (${job.progress.done}/${job.progress.total} ${job.progress.unit})`);
    state = job.state;
    bar?.setTotal(Math.max(job.progress.total, 1));
    bar?.update(job.progress.done, { unit: job.progress.unit });
    if (finished.has(job.state)) break;
    await sleep(500);
  }
  // Lines logged since the last redraw are written by a redraw, not by stop: flush them first.
      bars?.update();
      bars?.stop();
  return job;
}

interface Started {
  jobId: string;
  state: string;
}

export function registerMaterialize(program: Command): void {
  program
    .command('materialize')
    .description("Copies a view's newest offline rows to the online store (from its watermark, or for --start/--end)")
    .argument('<view>')
    .option('--start <time>', 'event time from (ISO 8601)')
    .option('--end <time>', 'event time to (ISO 8601)')
    .option('--async', 'always as a job (answers with its id)')
    .option('--watch', 'follow the job to its end when the API answers with one')
    .action(async (view: string, options: { start?: string; end?: string; async?: boolean; watch?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = clientFor(globals);
      const body = { view, ...(options.start ? { start: options.start } : {}), ...(options.end ? { end: options.end } : {}) };
      const answer = await client.call('materialize-features', { body, ...(options.async ? { query: { async: 'true' } } : {}) });
      const result = expectStatus<Record<string, unknown>>(`materializing ${view}`, answer, 200, 202);
      if (answer.status === 200) {
        if (globals.json) return printJson(result);
        return say(`materialized ${view}: ${String(result.written)} written, ${String(result.older)} older kept, ${String(result.entities)} entities from ${String(result.partitionsRead)} partition(s)`);
      }
      const started = result as unknown as Started;
      if (!options.watch) {
        if (globals.json) return printJson(result);
        return say(`job ${started.jobId} ${started.state}: follow it with "arbor materialize ${view} --watch" or GET /api/jobs/${started.jobId}`);
      }
      const job = await followJob(client, started.jobId, globals);
      if (globals.json) printJson(job);
      else say(`job ${job.id} ${job.state}${job.result ? `: ${JSON.stringify(job.result)}` : ''}${job.error ? `: ${job.error.code}: ${job.error.message}` : ''}`);
      if (job.state !== 'succeeded') throw new CliError(`materialization of ${view} ${job.state}`);
    });
}
