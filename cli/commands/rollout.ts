import type { Command } from 'commander';
import type { ArborClient } from '../../client/arbor-client.js';
import type { Rollout } from '../../shared/serving/rollout-store.js';
import { clientFor, CliError, expectStatus, formatNumber, printJson, type GlobalOptions } from '../context.js';
import { say, table } from '../output.js';

type RolloutSummary = Omit<Rollout, 'checks' | 'events'>;

/** The rollout asked for, or the endpoint's newest (the running one, if any). */
async function rolloutId(client: ArborClient, endpoint: string, id: string | undefined): Promise<string> {
  if (id) return id;
  const listed = expectStatus<{ rollouts: RolloutSummary[] }>(`listing rollouts of ${endpoint}`, await client.call('list-rollouts', { params: { name: endpoint } }), 200);
  const newest = [...listed.rollouts].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const chosen = newest.find((r) => r.state === 'running' || r.state === 'paused') ?? newest[0];
  if (!chosen) throw new CliError(`endpoint ${endpoint} has no rollout`);
  return chosen.id;
}

const percent = (rate: number | undefined) => (rate === undefined ? '-' : `${(rate * 100).toFixed(2)}%`);
const figures = (side: Rollout['checks'][number]['stable']) => (side ? `${side.requests} req, ${percent(side.errorRate)} err, p95 ${formatNumber(side.p95Ms)} ms, p99 ${formatNumber(side.p99Ms)} ms` : '-');

export function printRollout(rollout: Rollout): void {
  say(`rollout ${rollout.id} on ${rollout.endpoint}: ${rollout.state}`);
  say(`  stable ${rollout.stable.name} (${rollout.stable.model} v${rollout.stable.version}) -> candidate ${rollout.candidate.name} (${rollout.candidate.model} v${rollout.candidate.version})`);
  say(`  candidate weight ${rollout.weight}%, step ${rollout.stepIndex + 1} of ${rollout.request.steps.length} [${rollout.request.steps.join(', ')}], failures ${rollout.failures}/${rollout.request.failureLimit}, checks ${rollout.checkCount}`);
  if (rollout.reason) say(`  reason: ${rollout.reason}`);
  if (rollout.checks.length) {
    say(
      table(
        ['#', 'at', 'weight', 'decision', 'stable', 'candidate', 'p99 ratio', 'score PSI', 'next', 'reasons'],
        rollout.checks.map((check) => [
          check.seq,
          check.at.slice(11, 19),
          `${check.weight}%`,
          check.decision,
          figures(check.stable),
          figures(check.candidate),
          formatNumber(check.p99Ratio, 2),
          formatNumber(check.scorePsi, 3),
          `${check.nextWeight}%`,
          check.reasons.join('; ') || '-',
        ]),
      ),
    );
  } else say('  no checks yet');
  for (const event of rollout.events) say(`  ${event.at} ${event.event} (weight ${event.weight}%)${event.note ? `: ${event.note}` : ''}`);
}

function parseSteps(value: string): number[] {
  const steps = value.split(',').map((s) => Number(s.trim()));
  if (steps.some((s) => !Number.isInteger(s))) throw new CliError(`--steps takes whole numbers separated by commas, not "${value}"`, 2);
  return steps;
}

function parseWhole(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number)) throw new CliError(`"${value}" is not a whole number`, 2);
  return number;
}

export function registerRollout(program: Command): void {
  const rollout = program.command('rollout').description('Canary rollouts of an endpoint: start, status (each check with its figures), abort');
  rollout
    .command('start')
    .description('Starts a canary rollout of a model version on an endpoint')
    .argument('<endpoint>')
    .requiredOption('--model <name>', 'the candidate model')
    .requiredOption('--version <n>', 'the candidate version', parseWhole)
    .option('--name <variant>', 'the variant the candidate serves as (default canary)')
    .option('--steps <weights>', 'the candidate weights in order, e.g. 5,25,50,100', parseSteps)
    .option('--interval <seconds>', 'seconds between checks', parseWhole)
    .action(async (endpoint: string, options: { model: string; version: number; name?: string; steps?: number[]; interval?: number }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const body = {
        candidate: { model: options.model, version: options.version, ...(options.name ? { name: options.name } : {}) },
        ...(options.steps ? { steps: options.steps } : {}),
        ...(options.interval ? { intervalSeconds: options.interval } : {}),
      };
      const started = expectStatus<Rollout>(`starting a rollout on ${endpoint}`, await clientFor(globals).call('post-rollout', { params: { name: endpoint }, body }), 202);
      if (globals.json) printJson(started);
      else say(`rollout ${started.id} started on ${endpoint}: ${options.model} v${options.version} at ${started.weight ?? '-'}%`);
    });
  rollout
    .command('status')
    .description("A rollout's state, weight and every check with its figures (the newest rollout when no id is given)")
    .argument('<endpoint>')
    .argument('[id]', 'the rollout id (ro-...)')
    .action(async (endpoint: string, id: string | undefined, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = clientFor(globals);
      const chosen = await rolloutId(client, endpoint, id);
      const record = expectStatus<Rollout>(`reading rollout ${chosen}`, await client.call('get-rollout', { params: { name: endpoint, id: chosen } }), 200);
      if (globals.json) printJson(record);
      else printRollout(record);
    });
  rollout
    .command('abort')
    .description('Aborts a rollout: the stable variant takes all traffic again (the running one when no id is given)')
    .argument('<endpoint>')
    .argument('[id]', 'the rollout id (ro-...)')
    .action(async (endpoint: string, id: string | undefined, _options: unknown, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const client = clientFor(globals);
      const chosen = await rolloutId(client, endpoint, id);
      const answer = expectStatus(`aborting rollout ${chosen}`, await client.call('control-rollout', { params: { name: endpoint, id: chosen, command: 'abort' } }), 202);
      if (globals.json) printJson(answer);
      else say(`abort of rollout ${chosen} requested (state ${String(answer.state)})`);
    });
}
