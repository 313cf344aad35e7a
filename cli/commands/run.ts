import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { clientFor, CliError, expectStatus, printJson, type GlobalOptions } from '../context.js';
import { elapsed, say } from '../output.js';

interface RunView {
  runId: string;
  pipeline: string;
  state: string;
  steps: Record<string, { state: string; attempts: number; error?: string }>;
}

const finishedRun = new Set(['succeeded', 'failed', 'cancelled']);
const finishedStep = new Set(['succeeded', 'failed', 'skipped', 'upstream_failed', 'cached']);
export const pollMs = 500;

/** `--param k=v`, repeatable; a value that parses as JSON (a number, true, an object) is sent as that. */
export function parseParam(value: string, previous: Record<string, unknown> = {}): Record<string, unknown> {
  const at = value.indexOf('=');
  if (at < 1) throw new CliError(`--param takes name=value, not "${value}"`, 2);
  const raw = value.slice(at + 1);
  let parsed: unknown = raw;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // A plain string.
  }
  return { ...previous, [value.slice(0, at)]: parsed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function registerRun(program: Command): void {
  program
    .command('run')
    .description("Starts a pipeline run; with --watch follows it to the end (exit code from the run's outcome)")
    .argument('<pipeline>', 'the pipeline name')
    .option('--param <name=value>', 'a run parameter (repeatable; JSON values are parsed)', (value: string, previous: Record<string, unknown>) => parseParam(value, previous), {})
    .option('--watch', 'follow the run: a line per step transition, a bar of done/total steps, elapsed time')
    .action(async (pipeline: string, options: { param: Record<string, unknown>; watch?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = clientFor(globals);
      const started = expectStatus<{ runId: string; statusUrl: string }>(`starting ${pipeline}`, await client.call('start-run', { params: { name: pipeline }, body: { params: options.param } }), 202);
      if (!options.watch) {
        if (globals.json) printJson(started);
        else say(`started run ${started.runId} of ${pipeline}`);
        return;
      }
      const start = Date.now();
      const transitions: Array<{ at: string; step: string; from: string; to: string }> = [];
      const seen = new Map<string, string>();
      // The bar only where a person watches: on a pipe it would be noise between the lines.
      const tty = !globals.json && process.stdout.isTTY === true;
      const bars = tty ? new cliProgress.MultiBar({ format: '{bar} {value}/{total} steps | {duration_formatted}', hideCursor: true, clearOnComplete: false }, cliProgress.Presets.shades_classic) : undefined;
      const bar = bars?.create(1, 0);
      const line = (text: string) => (bars ? bars.log(`${text}\n`) : globals.json ? undefined : say(text));
      if (!globals.json) line(`run ${started.runId} of ${pipeline} started`);
      let run: RunView;
      for (;;) {
        run = expectStatus<RunView>(`reading run ${started.runId}`, await client.call('get-run', { params: { id: started.runId } }), 200);
        for (const [step, record] of Object.entries(run.steps)) {
          const before = seen.get(step) ?? 'pending';
          if (record.state !== before) {
            transitions.push({ at: elapsed(start), step, from: before, to: record.state });
            line(`[${elapsed(start).padStart(7)}] ${step}: ${before} -> ${record.state}${record.error ? ` (${record.error})` : ''}`);
          }
          seen.set(step, record.state);
        }
        const steps = Object.values(run.steps);
        bar?.setTotal(Math.max(steps.length, 1));
        bar?.update(steps.filter((s) => finishedStep.has(s.state)).length);
        if (finishedRun.has(run.state)) break;
        await sleep(pollMs);
      }
      // Lines logged since the last redraw are written by a redraw, not by stop: flush them first.
      bars?.update();
      bars?.stop();
      const done = Object.values(run.steps).filter((s) => finishedStep.has(s.state)).length;
      if (globals.json) printJson({ runId: run.runId, pipeline, state: run.state, elapsedSeconds: (Date.now() - start) / 1000, transitions, steps: run.steps });
      else say(`run ${run.runId} ${run.state} in ${elapsed(start)} (${done}/${Object.keys(run.steps).length} steps done)`);
      if (run.state !== 'succeeded') process.exitCode = 1;
    });
}
