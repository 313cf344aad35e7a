import type { Command } from 'commander';
import { clientFor, CliError, expectStatus, printJson, type GlobalOptions } from '../context.js';
import { say, table } from '../output.js';

/** `view:feature,view:other` as the API's feature references. */
export function parseFeatureList(value: string): string[] {
  const features = value.split(',').map((f) => f.trim()).filter(Boolean);
  const bad = features.find((f) => !/^[^:\s]+:[^:\s]+$/.test(f));
  if (!features.length || bad !== undefined) throw new CliError(`features are view:feature, separated by commas (got "${bad ?? value}")`, 2);
  return features;
}

/** `--entity driver_id=1,2,3`: join key and values; numbers are sent as numbers. */
export function parseEntity(value: string, previous: Record<string, Array<string | number>> = {}): Record<string, Array<string | number>> {
  const at = value.indexOf('=');
  if (at < 1 || at === value.length - 1) throw new CliError(`--entity takes key=v1,v2, not "${value}"`, 2);
  const values = value
    .slice(at + 1)
    .split(',')
    .map((v) => (/^-?\d+$/.test(v) ? Number(v) : v));
  return { ...previous, [value.slice(0, at)]: values };
}

interface OnlineAnswer {
  results: Array<{ entity: Record<string, string | number>; values: Record<string, unknown>; status: Record<string, string> }>;
}

export function registerFeatures(program: Command): void {
  const features = program.command('features').description('The feature store: online reads');
  features
    .command('get')
    .description('Reads features from the online store for entities')
    .argument('<features>', 'view:feature[,view:feature...]', parseFeatureList)
    .requiredOption('--entity <key=v1,v2>', 'join key and values (repeat for composite keys)', (value: string, previous: Record<string, Array<string | number>>) => parseEntity(value, previous))
    .action(async (refs: string[], options: { entity: Record<string, Array<string | number>> }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const answer = expectStatus<OnlineAnswer>('reading online features', await clientFor(globals).call('get-online-features', { body: { features: refs, entities: options.entity } }), 200);
      if (globals.json) return printJson(answer);
      const keys = Object.keys(options.entity);
      say(
        table(
          [...keys, ...refs],
          answer.results.map((result) => [
            ...keys.map((key) => String(result.entity[key] ?? '')),
            ...refs.map((ref) => (result.status[ref] === 'present' ? JSON.stringify(result.values[ref]) : `(${result.status[ref] ?? 'missing'})`)),
          ]),
        ),
      );
    });
}
