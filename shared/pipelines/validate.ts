/**
 * Admits a pipeline spec before anything runs, and otherwise says everything that is wrong with
 * it at once: a user fixing a spec one error per round trip would never finish. The cross-step
 * checks read the raw input leniently, so a bad field elsewhere does not hide a cycle.
 */
import type { core } from 'zod';
import { ncrontabProblem } from '../platform/ncrontab.js';
import { dependencyGraph, findCycles, upstreamTester, type DependencyGraph } from './dag.js';
import { findExpressions } from './expressions.js';
import { MAX_STEPS, PARAM_TYPES, PipelineSpecSchema, type ParamType, type PipelineSpec } from './spec.js';

/** One thing wrong with a spec. `field` names it like `steps[2].dependsOn[0]`. */
export interface Problem {
  field: string;
  problem: string;
}

export type ValidationResult = { ok: true; spec: PipelineSpec } | { ok: false; problems: Problem[] };

/** Listing the known step types helps, until the list is too long to read. */
const MAX_TYPES_LISTED = 30;
/** Past this many, more cycles only bury the other problems. */
const MAX_CYCLES_REPORTED = 100;
const ROOT_FIELD = 'spec';

export function validatePipeline(input: unknown, knownStepTypes: ReadonlySet<string>): ValidationResult {
  const parsed = PipelineSpecSchema.safeParse(input);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.flatMap(schemaProblems)),
    ...crossChecks(looseView(input), knownStepTypes),
  ];
  if (parsed.success && problems.length === 0) return { ok: true, spec: parsed.data };
  return { ok: false, problems };
}

/** Names a place in the spec the way a user would point at it in JSON. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let field = '';
  for (const segment of path) {
    if (typeof segment === 'number') field += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(segment)) {
      field += field === '' ? segment : `.${segment}`;
    } else field += `[${JSON.stringify(String(segment))}]`;
  }
  return field === '' ? ROOT_FIELD : field;
}

function schemaProblems(issue: core.$ZodIssue): Problem[] {
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), problem: 'is not a known field' }));
    case 'invalid_key':
      return [
        {
          field: fieldPath(issue.path),
          problem: `is not a valid name: ${issue.issues.map((inner) => inner.message).join('; ')}`,
        },
      ];
    case 'invalid_type':
      // zod words a missing field as a type mismatch with undefined.
      return [
        {
          field: fieldPath(issue.path),
          problem: issue.message.endsWith('received undefined') ? 'is required' : issue.message,
        },
      ];
    default:
      return [{ field: fieldPath(issue.path), problem: issue.message }];
  }
}

interface LooseStep {
  /** Position in the input's `steps`, which is how problems name it. */
  readonly position: number;
  readonly id: string;
  readonly uses: unknown;
  /** String entries of `dependsOn`, each with its own position. */
  readonly dependsOn: readonly { readonly dep: string; readonly position: number }[];
  readonly with: unknown;
}

interface LooseSpec {
  /** Absent when `params` is malformed, so reference checks do not pile onto that problem. */
  readonly params: ReadonlyMap<string, unknown> | undefined;
  readonly schedule: unknown;
  readonly on: unknown;
  readonly steps: readonly LooseStep[];
}

/** What can be read from the input whatever its shape; schemaProblems covers the rest. */
function looseView(input: unknown): LooseSpec {
  const spec = asRecord(input);
  const rawParams = spec?.params;
  const paramsRecord = rawParams === undefined ? {} : asRecord(rawParams);
  const steps: LooseStep[] = [];
  const rawSteps = spec?.steps;
  if (Array.isArray(rawSteps)) {
    for (const [position, raw] of rawSteps.entries()) {
      const step = asRecord(raw);
      if (step === undefined || typeof step.id !== 'string') continue;
      const dependsOn = Array.isArray(step.dependsOn)
        ? step.dependsOn.flatMap((dep: unknown, i) => (typeof dep === 'string' ? [{ dep, position: i }] : []))
        : [];
      steps.push({ position, id: step.id, uses: step.uses, dependsOn, with: step.with });
    }
  }
  return {
    params: paramsRecord && new Map(Object.entries(paramsRecord)),
    schedule: spec?.schedule,
    on: spec?.on,
    steps,
  };
}

function crossChecks(spec: LooseSpec, knownStepTypes: ReadonlySet<string>): Problem[] {
  // The schema already rejects this; checking every pair of a giant input would only burn time.
  if (spec.steps.length > MAX_STEPS) return [];
  const graph = dependencyGraph({
    steps: spec.steps.map((step) => ({ id: step.id, dependsOn: step.dependsOn.map(({ dep }) => dep) })),
  });
  return [
    ...paramDefaultProblems(spec),
    ...scheduleProblems(spec.schedule),
    ...landedTriggerProblems(spec),
    ...stepProblems(spec, graph, knownStepTypes),
    ...cycleProblems(spec, graph),
  ];
}

function paramDefaultProblems(spec: LooseSpec): Problem[] {
  const problems: Problem[] = [];
  for (const [name, raw] of spec.params ?? []) {
    const param = asRecord(raw);
    const type = param?.type;
    if (param === undefined || !isParamType(type) || param.default === undefined) continue;
    if (!hasParamType(param.default, type)) {
      problems.push({ field: fieldPath(['params', name, 'default']), problem: `must be ${article(type)} ${type}` });
    }
  }
  return problems;
}

function scheduleProblems(schedule: unknown): Problem[] {
  if (typeof schedule !== 'string') return [];
  const problem = ncrontabProblem(schedule);
  return problem ? [{ field: 'schedule', problem }] : [];
}

/** A landed-file trigger hands the file to a param, which must exist and take a string. */
function landedTriggerProblems(spec: LooseSpec): Problem[] {
  const landed = asRecord(asRecord(spec.on)?.landed);
  if (!landed || spec.params === undefined) return [];
  const name = landed.param === undefined ? 'file' : landed.param;
  if (typeof name !== 'string') return [];
  const param = asRecord(spec.params.get(name));
  if (!param) return [{ field: 'on.landed.param', problem: `names param "${name}", which params does not declare (declare it with type string)` }];
  if (param.type !== 'string') return [{ field: `params.${name}.type`, problem: 'must be string: the landed-file trigger passes the file name' }];
  return [];
}

function stepProblems(spec: LooseSpec, graph: DependencyGraph, knownStepTypes: ReadonlySet<string>): Problem[] {
  const problems: Problem[] = [];
  const firstPosition = new Map<string, number>();
  // Built only once some reference is not to a direct dependency.
  let tester: ((node: number, candidate: number) => boolean) | undefined;
  const isUpstream = (node: number, candidate: number): boolean =>
    graph.dependencies[node]!.includes(candidate) || (tester ??= upstreamTester(graph))(node, candidate);

  for (const step of spec.steps) {
    const at = (...path: (string | number)[]): string => fieldPath(['steps', step.position, ...path]);

    const first = firstPosition.get(step.id);
    if (first === undefined) firstPosition.set(step.id, step.position);
    else problems.push({ field: at('id'), problem: `duplicates the id "${step.id}" of steps[${first}]` });

    if (typeof step.uses === 'string' && step.uses !== '' && !knownStepTypes.has(step.uses)) {
      problems.push({ field: at('uses'), problem: unknownTypeProblem(step.uses, knownStepTypes) });
    }

    for (const { dep, position } of step.dependsOn) {
      if (dep === step.id) {
        problems.push({ field: at('dependsOn', position), problem: `step "${step.id}" depends on itself` });
      } else if (!graph.index.has(dep)) {
        problems.push({ field: at('dependsOn', position), problem: `"${dep}" is not a step in this pipeline` });
      }
    }

    const node = graph.index.get(step.id)!;
    for (const finding of findExpressions(step.with)) {
      const field = at('with', ...finding.at);
      if (!finding.ok) {
        problems.push({ field, problem: finding.problem });
        continue;
      }
      const ref = finding.reference;
      if (ref.kind === 'param') {
        if (spec.params !== undefined && !spec.params.has(ref.name)) {
          problems.push({ field, problem: `${finding.text} names param "${ref.name}", which params does not declare` });
        }
        continue;
      }
      const source = graph.index.get(ref.stepId);
      if (source === undefined) {
        problems.push({ field, problem: `${finding.text} names step "${ref.stepId}", which does not exist` });
      } else if (source === node) {
        problems.push({ field, problem: `${finding.text} refers to the outputs of its own step` });
      } else if (!isUpstream(node, source)) {
        problems.push({
          field,
          problem:
            `${finding.text} names step "${ref.stepId}", which is not upstream of "${step.id}" ` +
            `(add it to dependsOn, directly or through another step)`,
        });
      }
    }
  }
  return problems;
}

function cycleProblems(spec: LooseSpec, graph: DependencyGraph): Problem[] {
  const cycles = findCycles(graph);
  const problems = cycles.slice(0, MAX_CYCLES_REPORTED).map((cycle): Problem => {
    const [from, to] = cycle as [string, string];
    const step = spec.steps.find((s) => s.id === from)!;
    const edge = step.dependsOn.find((d) => d.dep === to);
    const path: (string | number)[] = ['steps', step.position, 'dependsOn'];
    if (edge !== undefined) path.push(edge.position);
    return { field: fieldPath(path), problem: `dependency cycle: ${cycle.join(' -> ')}` };
  });
  if (cycles.length > MAX_CYCLES_REPORTED) {
    problems.push({ field: 'steps', problem: `${cycles.length - MAX_CYCLES_REPORTED} more dependency cycles` });
  }
  return problems;
}

function unknownTypeProblem(uses: string, known: ReadonlySet<string>): string {
  const problem = `unknown step type "${uses}"`;
  if (known.size === 0) return `${problem} (no step types are registered)`;
  if (known.size > MAX_TYPES_LISTED) return problem;
  return `${problem} (known: ${[...known].sort().join(', ')})`;
}

function isParamType(type: unknown): type is ParamType {
  return (PARAM_TYPES as readonly unknown[]).includes(type);
}

function hasParamType(value: unknown, type: ParamType): boolean {
  if (type === 'object') return value !== null && typeof value === 'object';
  if (type === 'number') return typeof value === 'number' && Number.isFinite(value);
  return typeof value === type;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
