import { isDeepStrictEqual } from 'node:util';
import type { Command } from 'commander';
import type { ArborClient } from '../../client/arbor-client.js';
import { apiFailure, clientFor, CliError, errorDetails, printJson, type GlobalOptions } from '../context.js';
import { formatProblem, locate, parseFieldPath, locateBundleField, readDefinitions, registryBundle, type Definition, type FileProblem, type Kind, type Source } from '../definitions.js';
import { say, table } from '../output.js';

export type Action = 'create' | 'update' | 'unchanged' | 'refused';

export interface PlanRow {
  kind: Kind;
  name: string;
  action: Action;
  /** file:line of the definition. */
  at: string;
  /** Why it is refused: the API's compatibility errors, each with file:line. */
  reasons: string[];
}

const where = (source: Source): string => {
  const position = locate(source, [], '', '');
  return `${position.file}:${position.line}`;
};

/**
 * Whether what a file defines is what the API holds: every field the file sets has the stored
 * value; fields the file leaves out are the API's defaults (or whatever is stored), so they do
 * not count as a change. Arrays compare item by item, with the same length.
 */
export function definedAsStored(defined: unknown, stored: unknown): boolean {
  if (Array.isArray(defined)) return Array.isArray(stored) && stored.length === defined.length && defined.every((item, i) => definedAsStored(item, stored[i]));
  if (defined && typeof defined === 'object') {
    if (!stored || typeof stored !== 'object' || Array.isArray(stored)) return false;
    return Object.entries(defined).every(([key, value]) => definedAsStored(value, (stored as Record<string, unknown>)[key]));
  }
  return isDeepStrictEqual(defined, stored);
}

interface RegistryPlan {
  rows: PlanRow[];
  invalid: FileProblem[];
}

/** The feature registry's plan, from the API's dry run: the same checks a real apply makes, nothing written. */
async function planRegistry(client: ArborClient, definitions: readonly Definition[]): Promise<RegistryPlan> {
  const registry = definitions.filter((d) => d.kind === 'entity' || d.kind === 'featureView' || d.kind === 'featureService');
  if (!registry.length) return { rows: [], invalid: [] };
  const { body, sources } = registryBundle(registry);
  const answer = await client.call('apply-feature-registry', { query: { dryRun: 'true' }, body });
  const label = (field: string, problem: string) => {
    const located = locateBundleField(sources, field, problem);
    return located ? formatProblem(located) : `${field}: ${problem}`;
  };
  if (answer.status === 200) {
    const result = answer.body as { created: string[]; updated: string[]; unchanged: string[] };
    const actionOf = (definition: Definition): Action => {
      const id = `${definition.kind}:${definition.name}`;
      return result.created.includes(id) ? 'create' : result.updated.includes(id) ? 'update' : 'unchanged';
    };
    return { rows: registry.map((d) => ({ kind: d.kind, name: d.name, action: actionOf(d), at: where(d.source), reasons: [] })), invalid: [] };
  }
  if (answer.status === 409) {
    // Incompatible changes: each detail names the item it refuses; the rest are refused with them (one apply).
    const details = errorDetails(answer.body);
    const rows = registry.map((d) => {
      const index = [...sources].find(([, source]) => source === d.source)?.[0];
      const reasons = details.filter((detail) => index && (detail.field === index || detail.field.startsWith(`${index}.`))).map((detail) => label(detail.field, detail.problem));
      return { kind: d.kind, name: d.name, action: 'refused' as const, at: where(d.source), reasons: reasons.length ? reasons : ['applied together with the refused definitions'] };
    });
    return { rows, invalid: [] };
  }
  if (answer.status === 400) {
    const invalid = errorDetails(answer.body).map((detail) => locateBundleField(sources, detail.field, detail.problem) ?? { file: '(registry)', line: 0, column: 0, field: detail.field, problem: detail.problem });
    if (invalid.length) return { rows: [], invalid };
  }
  throw apiFailure('planning the feature registry', answer);
}

/** Pipelines, collections, models and endpoints: compared with what GET answers now. */
async function planOne(client: ArborClient, definition: Definition): Promise<PlanRow> {
  const row = (action: Action, reasons: string[] = []): PlanRow => ({ kind: definition.kind, name: definition.name, action, at: where(definition.source), reasons });
  const params = { params: { name: definition.name } };
  const answer =
    definition.kind === 'pipeline'
      ? await client.call('get-pipelines', params)
      : definition.kind === 'collection'
        ? await client.call('get-collections', params)
        : definition.kind === 'model'
          ? await client.call('get-model', params)
          : await client.call('get-endpoints', params);
  if (answer.status === 404) return row('create');
  if (answer.status !== 200) throw apiFailure(`reading ${definition.kind} ${definition.name}`, answer);
  const stored = answer.body as Record<string, unknown>;
  if (definition.kind === 'pipeline') {
    const { version: _version, ...spec } = definition.body;
    return row(definedAsStored(spec, stored.spec) ? 'unchanged' : 'update');
  }
  if (definition.kind === 'collection') {
    // A collection's shape cannot change in place: the API refuses (409) until it is deleted.
    const changed = Object.entries(definition.body).filter(([key, value]) => !isDeepStrictEqual(value, stored[key]));
    if (!changed.length) return row('unchanged');
    return row(
      'refused',
      changed.map(([key, value]) => {
        const position = locate(definition.source, [key], key, `cannot change from ${JSON.stringify(stored[key])} to ${JSON.stringify(value)}; delete the collection first`);
        return formatProblem(position);
      }),
    );
  }
  return row(definedAsStored(definition.body, stored) ? 'unchanged' : 'update');
}

/** Writes one definition; the API's error names the field, mapped back to the file. */
async function applyOne(client: ArborClient, definition: Definition): Promise<void> {
  const params = { params: { name: definition.name } };
  const answer =
    definition.kind === 'pipeline'
      ? await client.call('register-pipeline', { body: definition.body as never })
      : definition.kind === 'collection'
        ? await client.call('put-collection', { ...params, body: definition.body as never })
        : definition.kind === 'model'
          ? await client.call('put-model', { ...params, body: definition.body as never })
          : await client.call('put-endpoint', { ...params, body: definition.body as never });
  if (answer.status === 200 || answer.status === 201) return;
  throw apiFailure(`applying ${definition.kind} ${definition.name}`, answer, (field) => {
    const position = locate(definition.source, parseFieldPath(field), field, '');
    return `${position.file}:${position.line}:${position.column} ${field}`;
  });
}

/** Collections first (their bodies are checked by the API only), then what the rest depends on: registry, pipelines, models, endpoints. */
const applyOrder: readonly Kind[] = ['collection', 'entity', 'featureView', 'featureService', 'pipeline', 'model', 'endpoint'];

export function registerApply(program: Command): void {
  program
    .command('apply')
    .description('Shows the plan for a directory of definitions (YAML or JSON) and applies it, as feast plan / feast apply do')
    .argument('<dir>', 'directory of *.yaml, *.yml and *.json definition files')
    .option('--dry-run', 'show the plan only; write nothing')
    .action(async (dir: string, options: { dryRun?: boolean }, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      const read = readDefinitions(dir);
      if (read.problems.length) throw new CliError(`${read.problems.length} problem(s) in ${dir}; nothing applied`, 1, read.problems.map(formatProblem));
      if (!read.definitions.length) throw new CliError(`no definitions found in ${dir} (*.yaml, *.yml, *.json)`);
      const client = clientFor(globals);
      const registry = await planRegistry(client, read.definitions);
      if (registry.invalid.length) throw new CliError(`${registry.invalid.length} problem(s) in ${dir}; nothing applied`, 1, registry.invalid.map(formatProblem));
      const others: PlanRow[] = [];
      for (const definition of read.definitions) if (!['entity', 'featureView', 'featureService'].includes(definition.kind)) others.push(await planOne(client, definition));
      const rows = [...registry.rows, ...others].sort((a, b) => applyOrder.indexOf(a.kind) - applyOrder.indexOf(b.kind));
      const refused = rows.filter((r) => r.action === 'refused');
      const willApply = !options.dryRun && !refused.length && rows.some((r) => r.action !== 'unchanged');
      if (willApply) {
        // The registry in one call (its own all-or-nothing), then the rest one by one in order.
        const registryDefinitions = read.definitions.filter((d) => ['entity', 'featureView', 'featureService'].includes(d.kind));
        for (const kind of applyOrder) {
          if (kind === 'entity' && registryDefinitions.length && rows.some((r) => ['entity', 'featureView', 'featureService'].includes(r.kind) && r.action !== 'unchanged')) {
            const answer = await client.call('apply-feature-registry', { body: registryBundle(registryDefinitions).body });
            if (answer.status !== 200) throw apiFailure('applying the feature registry', answer);
          }
          if (kind === 'entity' || kind === 'featureView' || kind === 'featureService') continue;
          for (const definition of read.definitions.filter((d) => d.kind === kind)) {
            const planned = rows.find((r) => r.kind === kind && r.name === definition.name);
            if (planned?.action !== 'unchanged') await applyOne(client, definition);
          }
        }
      }
      const counts = Object.fromEntries((['create', 'update', 'unchanged', 'refused'] as const).map((action) => [action, rows.filter((r) => r.action === action).length]));
      if (globals.json) printJson({ dryRun: !!options.dryRun, applied: willApply, plan: rows, counts });
      else {
        say(table(['kind', 'name', 'action', 'defined at'], rows.map((r) => [r.kind, r.name, r.action, r.at])));
        for (const r of refused) for (const reason of r.reasons) say(`refused ${r.kind} ${r.name}: ${reason}`);
        const summary = `${counts.create} to create, ${counts.update} to update, ${counts.unchanged} unchanged, ${counts.refused} refused`;
        if (refused.length) say(`${summary}; nothing applied`);
        else if (options.dryRun) say(`${summary} (dry run: nothing applied)`);
        else say(willApply ? `applied: ${summary.replace(' to create', ' created').replace(' to update', ' updated')}` : `${summary}: nothing to apply`);
      }
      if (refused.length) process.exitCode = 1;
    });
}
