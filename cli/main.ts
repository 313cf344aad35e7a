#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { registerApply } from './commands/apply.js';
import { registerAsk } from './commands/ask.js';
import { registerDrift } from './commands/drift.js';
import { registerFeatures } from './commands/features.js';
import { registerJobs } from './commands/jobs.js';
import { registerMaterialize } from './commands/materialize.js';
import { registerRollout } from './commands/rollout.js';
import { registerRun } from './commands/run.js';
import { registerTrainingSet } from './commands/training-set.js';
import { CliError, defaultUrl } from './context.js';

/**
 * `arbor`: the platform from a terminal, on the typed client (client/arbor-client.ts). Exit codes:
 * 0 done, 1 the API refused or the work failed (its error code and fields printed), 2 a bad command line.
 */
export function program(): Command {
  const root = new Command('arbor')
    .description('Arbor from the command line: apply definitions, run pipelines, follow rollouts, read features')
    .addOption(new Option('--url <url>', `the app's address (env ARBOR_URL, else the profile, else ${defaultUrl})`))
    .addOption(new Option('--key <key>', 'the function key (env ARBOR_FUNCTION_KEY, else the profile)'))
    .addOption(new Option('--profile <name>', 'a profile of ~/.arbor/config.json (env ARBOR_PROFILE)'))
    .option('--json', 'print one JSON document for scripts')
    .showHelpAfterError()
    .exitOverride();
  registerApply(root);
  registerRun(root);
  registerRollout(root);
  registerFeatures(root);
  registerJobs(root);
  registerMaterialize(root);
  registerDrift(root);
  registerAsk(root);
  registerTrainingSet(root);
  return root;
}

async function main(): Promise<void> {
  try {
    await program().parseAsync(process.argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are not failures; every other commander error is a usage error.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
      return;
    }
    if (error instanceof CliError) {
      process.stderr.write(`error: ${error.message}\n${error.lines.map((line) => `  ${line}\n`).join('')}`);
      process.exitCode = error.exitCode;
      return;
    }
    // fetch's own failure (nothing listening, DNS, TLS): a TypeError whose cause says why.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    if (error instanceof TypeError && cause) {
      process.stderr.write(`error: cannot reach the API: ${cause.code ?? cause.message ?? error.message}\n`);
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

await main();
