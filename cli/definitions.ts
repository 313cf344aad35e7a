import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseAllDocuments, type Document } from 'yaml';
import type { z } from 'zod';
import { entitySchema, featureServiceSchema, featureViewSchema, type Definitions } from '../shared/features/definitions.js';
import { PipelineSpecSchema } from '../shared/pipelines/spec.js';
import { endpointSpecSchema, modelSpecSchema, servingName } from '../shared/serving/definitions.js';

/**
 * A repository of definitions as files (`arbor apply <dir>`): every *.yaml, *.yml and *.json
 * file, each holding documents with a `kind`, or a feature-registry bundle (`entities`,
 * `featureViews`, `featureServices`, the body of POST /api/features/registry). Every document
 * keeps where it came from, so a problem found here or by the API names file, line and field.
 */

export const kinds = ['entity', 'featureView', 'featureService', 'pipeline', 'collection', 'model', 'endpoint'] as const;
export type Kind = (typeof kinds)[number];

/** Where a value came from: the file, its parsed document, and the path of the value in it. */
export interface Source {
  file: string;
  document: Document.Parsed;
  lines: LineCounter;
  path: ReadonlyArray<string | number>;
}

export interface Definition {
  kind: Kind;
  name: string;
  /** What the API takes: the document without `kind` (and, for PUT routes, without `name`). */
  body: Record<string, unknown>;
  source: Source;
}

/** A problem in a definition file: `file:line:column field: problem`. */
export interface FileProblem {
  file: string;
  line: number;
  column: number;
  field: string;
  problem: string;
}

export function formatProblem(problem: FileProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.field ? `${problem.field}: ` : ''}${problem.problem}`;
}

/** `featureViews[0].features[1].type` as a path: ['featureViews', 0, 'features', 1, 'type']. */
export function parseFieldPath(field: string): Array<string | number> {
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) => (match[2] !== undefined ? Number(match[2]) : (match[1] as string)));
}

export function formatFieldPath(path: ReadonlyArray<string | number | symbol>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i ? '.' : ''}${String(part)}`)).join('');
}

/**
 * The file position of `path` inside a source: the deepest node the path reaches (a missing
 * field points at the entry or object that lacks it). A scalar's position is its value's (a
 * wrong value is shown where it is written); `atKey` points at the key instead (an unknown field).
 */
export function locate(source: Source, path: ReadonlyArray<string | number>, field: string, problem: string, options: { atKey?: boolean } = {}): FileProblem {
  const full = [...source.path, ...path];
  let node: unknown = source.document.contents;
  let offset = isNode(node) && node.range ? node.range[0] : 0;
  for (const [index, part] of full.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === part);
      if (!pair) break;
      if (isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
      if (options.atKey && index === full.length - 1) break;
      node = pair.value;
      if (isScalar(node) && node.range) offset = node.range[0];
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part];
      if (!isNode(item)) break;
      if (item.range) offset = item.range[0];
      node = item;
    } else break;
  }
  const { line, col } = source.lines.linePos(offset);
  return { file: source.file, line, column: col, field, problem };
}

/**
 * The API's own edge schemas, checked before anything is sent so that an invalid file applies
 * nothing. A collection's body is checked by the API alone (its schema sits with the vector
 * service, beside server code the CLI does not load); apply writes collections first, so an
 * invalid one stops the apply before any other write.
 */
const schemas: Partial<Record<Kind, z.ZodType>> = {
  entity: entitySchema,
  featureView: featureViewSchema,
  featureService: featureServiceSchema,
  pipeline: PipelineSpecSchema,
  model: modelSpecSchema,
  endpoint: endpointSpecSchema,
};

/** The API's collection name pattern (shared/vectors/requests.ts collectionName). */
const collectionName = /^[a-z0-9][a-z0-9_-]{0,62}$/;

/** Kinds whose name is the route's `{name}` and not part of the body. */
const namedByRoute: ReadonlySet<Kind> = new Set(['collection', 'model', 'endpoint']);

export interface DefinitionSet {
  definitions: Definition[];
  problems: FileProblem[];
  files: string[];
}

/** Reads every definition file of a directory (not its subdirectories), in name order. */
export function readDefinitions(directory: string): DefinitionSet {
  let names: string[];
  try {
    names = readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isFile() && /\.(ya?ml|json)$/i.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    return { definitions: [], problems: [{ file: directory, line: 1, column: 1, field: '', problem: `cannot be read: ${(error as Error).message}` }], files: [] };
  }
  const definitions: Definition[] = [];
  const problems: FileProblem[] = [];
  const files = names.map((name) => join(directory, name));
  for (const file of files) {
    const lines = new LineCounter();
    const documents = parseAllDocuments(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
    for (const document of Array.isArray(documents) ? documents : [documents]) {
      if (document.errors.length) {
        for (const error of document.errors) {
          const { line, col } = lines.linePos(error.pos[0]);
          problems.push({ file, line, column: col, field: '', problem: error.message.split('\n')[0] ?? error.code });
        }
        continue;
      }
      const value: unknown = document.toJS();
      if (value === null || value === undefined) continue;
      readDocument({ file, document, lines, path: [] }, value, definitions, problems);
    }
  }
  const seen = new Map<string, Definition>();
  for (const definition of definitions) {
    const key = `${definition.kind}:${definition.name}`;
    const first = seen.get(key);
    if (first) {
      const where = locate(first.source, ['name'], 'name', '');
      problems.push(locate(definition.source, ['name'], 'name', `${key} is also defined at ${where.file}:${where.line}`));
    } else seen.set(key, definition);
  }
  // In reading order: by file, then line.
  problems.sort((a, b) => files.indexOf(a.file) - files.indexOf(b.file) || a.line - b.line || a.column - b.column);
  return { definitions, problems, files };
}

function readDocument(source: Source, value: unknown, definitions: Definition[], problems: FileProblem[]): void {
  const at = (path: Array<string | number>, field: string, problem: string) => problems.push(locate(source, path, field, problem));
  if (typeof value !== 'object' || Array.isArray(value) || value === null) {
    at([], '', 'must be a mapping with a "kind", or a feature-registry bundle (entities, featureViews, featureServices)');
    return;
  }
  const record = value as Record<string, unknown>;
  if (!('kind' in record)) {
    const bundleKeys: Record<string, Kind> = { entities: 'entity', featureViews: 'featureView', featureServices: 'featureService' };
    const unknown = Object.keys(record).filter((key) => !(key in bundleKeys));
    if (unknown.length || Object.keys(record).length === 0) {
      at(unknown.length ? [unknown[0] as string] : [], unknown[0] ?? 'kind', `a document needs a "kind" (one of ${kinds.join(', ')}), or is a bundle of entities, featureViews and featureServices only`);
      return;
    }
    for (const [key, kind] of Object.entries(bundleKeys)) {
      const items = record[key];
      if (items === undefined) continue;
      if (!Array.isArray(items)) {
        at([key], key, 'must be a list');
        continue;
      }
      items.forEach((item, i) => readItem({ ...source, path: [key, i] }, kind, item, definitions, problems));
    }
    return;
  }
  const kind = record.kind;
  if (typeof kind !== 'string' || !(kinds as readonly string[]).includes(kind)) {
    at(['kind'], 'kind', `must be one of ${kinds.join(', ')}`);
    return;
  }
  const { kind: _kind, ...rest } = record;
  readItem(source, kind as Kind, rest, definitions, problems);
}

function readItem(source: Source, kind: Kind, item: unknown, definitions: Definition[], problems: FileProblem[]): void {
  const at = (path: Array<string | number>, field: string, problem: string, atKey = false) => problems.push(locate(source, path, field, problem, { atKey }));
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    at([], '', `a ${kind} must be a mapping`);
    return;
  }
  const record = item as Record<string, unknown>;
  if (typeof record.name !== 'string') {
    at(['name'], 'name', `a ${kind} needs a name`);
    return;
  }
  const { name, ...withoutName } = record;
  const body = namedByRoute.has(kind) ? withoutName : record;
  if (kind === 'collection' && !collectionName.test(name)) at(['name'], 'name', 'lower-case letters, digits, - and _, starting with a letter or digit (1-63)');
  else if (namedByRoute.has(kind) && kind !== 'collection' && !servingName.safeParse(name).success) at(['name'], 'name', 'must be 1-63 characters: lower-case letters, digits, _ and -, starting with a letter');
  const schema = schemas[kind];
  if (schema) {
    const checked = schema.safeParse(body);
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
        // An unknown key is reported on the object; point at the key itself.
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        if (keys.length) for (const key of keys) at([...path, key], formatFieldPath([...path, key]), 'is not a known field', true);
        else at(path, formatFieldPath(path), issue.message);
      }
      return;
    }
  }
  definitions.push({ kind, name, body, source });
}

/** The feature-registry body of a set of definitions, with the source of each item by its body path (`featureViews[2]`). */
export function registryBundle(definitions: readonly Definition[]): { body: Definitions; sources: Map<string, Source> } {
  const body: Definitions = { entities: [], featureViews: [], featureServices: [] };
  const sources = new Map<string, Source>();
  const lists = { entity: 'entities', featureView: 'featureViews', featureService: 'featureServices' } as const;
  for (const definition of definitions) {
    if (definition.kind !== 'entity' && definition.kind !== 'featureView' && definition.kind !== 'featureService') continue;
    const list = lists[definition.kind];
    const items = body[list] as unknown[];
    sources.set(`${list}[${items.length}]`, definition.source);
    items.push(definition.body);
  }
  return { body, sources };
}

/** An API detail's field (`featureViews[1].features[0].type`) as a position in the file the item came from. */
export function locateBundleField(sources: ReadonlyMap<string, Source>, field: string, problem: string): FileProblem | undefined {
  const path = parseFieldPath(field);
  const [list, index, ...rest] = path;
  const source = sources.get(`${String(list)}[${String(index)}]`);
  if (!source || typeof index !== 'number') return undefined;
  return locate(source, rest, field, problem);
}
