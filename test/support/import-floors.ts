import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';

/**
 * The floors of docs/architecture.md, checked over the source text. TypeScript here is the
 * native compiler (v7), which has no JavaScript compiler API, so imports are found by pattern:
 * Arbor's code imports only relative `.js` paths and packages, which a pattern reads reliably.
 */

/** A file's imports of other files in the repository, by repository-relative `.ts` path. */
export type ImportGraph = ReadonlyMap<string, readonly string[]>;

/** A capability-to-capability import the architecture allows: `from` may import `to`. */
export interface CapabilityEdge {
  from: string;
  to: string;
}

export interface FloorRules {
  allowedCapabilityEdges: readonly CapabilityEdge[];
  /** The engine files a capability may import (the step-type contract); the rest is the engine's inside. */
  engineSurface: readonly string[];
}

const staticImportOrReExport = /^[ \t]*(?:import|export)\s[^;]*?\sfrom\s*['"]([^'"]+)['"]/gm;
const sideEffectImport = /^[ \t]*import\s*['"]([^'"]+)['"]/gm;
const dynamicImport = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;
// Doc comments quote imports in prose; they start a line in this codebase.
const lineStartComment = /^[ \t]*(?:\/\*[\s\S]*?\*\/|\/\/[^\n]*)/gm;

/** Every specifier a source text imports or re-exports (static, side-effect or dynamic). */
export function importSpecifiers(source: string): string[] {
  const code = source.replace(lineStartComment, '');
  return [staticImportOrReExport, sideEffectImport, dynamicImport].flatMap((pattern) => [...code.matchAll(pattern)].map((match) => match[1] as string));
}

/** Resolves a relative specifier (`./x.js`) of `file` to the repository path of its `.ts` source; packages give undefined. */
export function resolveSpecifier(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/\.js$/, '.ts');
}

/** Reads the import graph of every `.ts` file under `directories` of `root`. */
export function readImportGraph(root: string, directories: readonly string[]): ImportGraph {
  const graph = new Map<string, string[]>();
  for (const directory of directories) {
    for (const file of typeScriptFiles(root, directory)) {
      const targets = importSpecifiers(readFileSync(join(root, file), 'utf8')).flatMap((specifier) => resolveSpecifier(file, specifier) ?? []);
      graph.set(file, [...new Set(targets)]);
    }
  }
  return graph;
}

function typeScriptFiles(root: string, directory: string): string[] {
  return readdirSync(join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(directory, entry.name);
    if (entry.isDirectory()) return typeScriptFiles(root, path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/**
 * Where a file lives. Higher floors may import lower ones, never the reverse; the local host
 * stands beside the ladder (it may import the app, the app never imports it).
 */
export type Floor =
  | { kind: 'ladder'; name: string; rank: number; capability?: string }
  | { kind: 'local-host' }
  | { kind: 'outside' };

const fixedFloors: Readonly<Record<string, { name: string; rank: number }>> = {
  'shared/storage': { name: 'shared/storage', rank: 0 },
  'shared/platform': { name: 'shared/platform', rank: 1 },
  'shared/pipelines': { name: 'shared/pipelines (engine)', rank: 2 },
};
const capabilityRank = 3;
const functionsRank = 4;

export function floorOf(file: string): Floor {
  const [top, area] = file.split('/');
  if (top === 'functions') return { kind: 'ladder', name: 'functions', rank: functionsRank };
  if (top === 'local') return { kind: 'local-host' };
  if (top === 'shared' && area !== undefined && !area.endsWith('.ts')) {
    const fixed = fixedFloors[`shared/${area}`];
    if (fixed) return { kind: 'ladder', ...fixed };
    return { kind: 'ladder', name: `capability shared/${area}`, rank: capabilityRank, capability: area };
  }
  return { kind: 'outside' };
}

/** Every import that runs the wrong way, as `from -> to: why`. */
export function floorViolations(graph: ImportGraph, rules: FloorRules): string[] {
  const allowed = new Set(rules.allowedCapabilityEdges.map((edge) => `${edge.from}->${edge.to}`));
  const engineSurface = new Set(rules.engineSurface);
  const capabilityEdgesSeen = new Set<string>();
  const violations: string[] = [];
  for (const [from, targets] of graph) {
    const fromFloor = floorOf(from);
    if (fromFloor.kind !== 'ladder') continue;
    for (const to of targets) {
      const toFloor = floorOf(to);
      if (toFloor.kind === 'local-host') violations.push(`${from} -> ${to}: ${fromFloor.name} imports the local host (local/ imports the app, never the reverse)`);
      else if (toFloor.kind === 'outside') violations.push(`${from} -> ${to}: ${fromFloor.name} imports a file outside functions/ and shared/`);
      else if (toFloor.rank > fromFloor.rank) violations.push(`${from} -> ${to}: ${fromFloor.name} imports the higher floor ${toFloor.name}`);
      else if (fromFloor.capability && to.startsWith('shared/pipelines/') && !engineSurface.has(to)) {
        violations.push(`${from} -> ${to}: capability ${fromFloor.capability} reaches inside the engine (its surface for capabilities: ${rules.engineSurface.join(', ')})`);
      }
      else if (fromFloor.capability && toFloor.capability && fromFloor.capability !== toFloor.capability) {
        const edge = `${fromFloor.capability}->${toFloor.capability}`;
        capabilityEdgesSeen.add(edge);
        if (!allowed.has(edge)) violations.push(`${from} -> ${to}: capability ${fromFloor.capability} may not import capability ${toFloor.capability} (not an allowed edge)`);
      }
    }
  }
  for (const edge of capabilityEdgesSeen) {
    const [from, to] = edge.split('->');
    if (from !== undefined && from < (to ?? '') && capabilityEdgesSeen.has(`${to}->${from}`)) violations.push(`capabilities ${from} and ${to} import each other`);
  }
  return violations;
}

/** The allowed capability edges that contradict each other (both directions listed). */
export function twoWayEdges(edges: readonly CapabilityEdge[]): string[] {
  const listed = new Set(edges.map((edge) => `${edge.from}->${edge.to}`));
  return edges.filter((edge) => edge.from < edge.to && listed.has(`${edge.to}->${edge.from}`)).map((edge) => `${edge.from} <-> ${edge.to}`);
}

/**
 * One cycle per strongly connected group of files (Tarjan's algorithm), each as a path that
 * returns to its start: `a.ts -> b.ts -> a.ts`.
 */
export function importCycles(graph: ImportGraph): string[] {
  const index = new Map<string, number>();
  const lowLink = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (file: string): void => {
    index.set(file, index.size);
    lowLink.set(file, index.get(file) as number);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        lowLink.set(file, Math.min(lowLink.get(file) as number, lowLink.get(next) as number));
      } else if (onStack.has(next)) {
        lowLink.set(file, Math.min(lowLink.get(file) as number, index.get(next) as number));
      }
    }
    if (lowLink.get(file) !== index.get(file)) return;
    const group: string[] = [];
    let member: string;
    do {
      member = stack.pop() as string;
      onStack.delete(member);
      group.push(member);
    } while (member !== file);
    if (group.length > 1 || (graph.get(file) ?? []).includes(file)) groups.push(group);
  };
  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return groups.map((group) => cyclePath(graph, new Set(group))).sort();
}

/** A shortest walk from the group's first file (by name) back to itself, inside the group. */
function cyclePath(graph: ImportGraph, group: ReadonlySet<string>): string {
  const start = [...group].sort()[0] as string;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const next of graph.get(file) ?? []) {
      if (!group.has(next)) continue;
      if (next === start) {
        const path = [start];
        for (let step: string | undefined = file; step !== start && step !== undefined; step = cameFrom.get(step)) path.splice(1, 0, step);
        return [...path, start].join(' -> ');
      }
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return [...group].join(' -> ');
}
