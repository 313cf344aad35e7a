/**
 * The dependency graph of a pipeline and the scheduler that walks it. Pure and deterministic:
 * the scheduler's state is plain JSON so a Durable orchestrator can rebuild it identically on
 * every replay (or carry it through continueAsNew), and every operation costs time in
 * proportion to the steps it touches, not to the size of the pipeline.
 */
import { DEFAULT_MAX_PARALLEL } from './spec.js';

export type StepState = 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'upstream_failed' | 'cached';
export type StepOutcome = 'succeeded' | 'failed' | 'cached' | 'skipped';

/** The part of a spec the graph needs, so unvalidated input and builder output fit too. */
export interface DagStep {
  readonly id: string;
  readonly dependsOn?: readonly string[];
}

export interface DagSpec {
  readonly steps: readonly DagStep[];
  readonly maxParallel?: number;
}

/**
 * Built leniently, so validation can reason about a broken spec: a repeated id is one node
 * (the first step with it), and dependencies on missing steps or on the step itself are left out.
 */
export interface DependencyGraph {
  /** Distinct step ids in spec order; a node is its index here. */
  readonly ids: readonly string[];
  readonly index: ReadonlyMap<string, number>;
  /** Per node, the nodes it depends on, in `dependsOn` order, without repeats. */
  readonly dependencies: readonly (readonly number[])[];
  /** Per node, the nodes that depend on it, in spec order. */
  readonly dependents: readonly (readonly number[])[];
}

export function dependencyGraph(spec: DagSpec): DependencyGraph {
  const ids: string[] = [];
  const index = new Map<string, number>();
  for (const step of spec.steps) {
    if (!index.has(step.id)) {
      index.set(step.id, ids.length);
      ids.push(step.id);
    }
  }
  const listed: number[][] = ids.map(() => []);
  for (const step of spec.steps) {
    const node = index.get(step.id)!;
    for (const dep of step.dependsOn ?? []) {
      const from = index.get(dep);
      if (from !== undefined && from !== node) listed[node]!.push(from);
    }
  }
  // A dependency can be listed twice, or by two steps sharing an id; keep one edge.
  const lastSeenBy = new Int32Array(ids.length).fill(-1);
  const dependencies = listed.map((deps, node) => {
    const unique: number[] = [];
    for (const from of deps) {
      if (lastSeenBy[from] === node) continue;
      lastSeenBy[from] = node;
      unique.push(from);
    }
    return unique;
  });
  const dependents: number[][] = ids.map(() => []);
  // Walking nodes in order leaves every dependents list sorted.
  for (const [node, deps] of dependencies.entries()) for (const from of deps) dependents[from]!.push(node);
  return { ids, index, dependencies, dependents };
}

/**
 * Every cycle found by one depth-first search over `dependsOn`, each once, spelled from the
 * step that comes first in the spec: `['a', 'b', 'c', 'a']` means a depends on b, b on c, c on a.
 * Not every elementary cycle (there can be exponentially many), but every strongly connected
 * knot yields at least one, which is what a user needs to see to untie it.
 */
export function findCycles(spec: DagSpec | DependencyGraph): string[][] {
  const graph = 'steps' in spec ? dependencyGraph(spec) : spec;
  const n = graph.ids.length;
  const WHITE = 0;
  const GREY = 1;
  const BLACK = 2;
  const colour = new Uint8Array(n);
  const nextEdge = new Uint32Array(n);
  const stackPos = new Int32Array(n).fill(-1);
  const cycles: string[][] = [];
  const seen = new Set<string>();
  // Iterative on purpose: a 5,000-step chain would overflow a recursive search.
  for (let root = 0; root < n; root++) {
    if (colour[root] !== WHITE) continue;
    const stack = [root];
    colour[root] = GREY;
    stackPos[root] = 0;
    while (stack.length > 0) {
      const node = stack[stack.length - 1]!;
      const deps = graph.dependencies[node]!;
      const edge = nextEdge[node]!;
      if (edge === deps.length) {
        colour[node] = BLACK;
        stackPos[node] = -1;
        stack.pop();
        continue;
      }
      nextEdge[node] = edge + 1;
      const dep = deps[edge]!;
      if (colour[dep] === WHITE) {
        colour[dep] = GREY;
        stackPos[dep] = stack.length;
        stack.push(dep);
      } else if (colour[dep] === GREY) {
        const cycle = rotateToFirst(stack.slice(stackPos[dep]!));
        const key = cycle.join(',');
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push([...cycle, cycle[0]!].map((i) => graph.ids[i]!));
        }
      }
    }
  }
  return cycles;
}

function rotateToFirst(cycle: number[]): number[] {
  let first = 0;
  for (let i = 1; i < cycle.length; i++) if (cycle[i]! < cycle[first]!) first = i;
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

/**
 * Step ids so that every step comes after its dependencies; among steps free to go next, the
 * one earliest in the spec goes first, so an already ordered spec comes back unchanged.
 */
export function topologicalOrder(spec: DagSpec): string[] {
  const graph = strictGraph(spec);
  const unmet = graph.dependencies.map((deps) => deps.length);
  const heap: number[] = [];
  for (const [node, count] of unmet.entries()) if (count === 0) heapPush(heap, node);
  const order: string[] = [];
  for (let node = heapPop(heap); node !== undefined; node = heapPop(heap)) {
    order.push(graph.ids[node]!);
    for (const dependent of graph.dependents[node]!) {
      if (--unmet[dependent]! === 0) heapPush(heap, dependent);
    }
  }
  return order;
}

/** Every step `stepId` depends on, directly or not, in spec order. */
export function upstreamOf(spec: DagSpec, stepId: string): string[] {
  const graph = dependencyGraph(spec);
  return reachable(graph, nodeOf(graph, stepId), graph.dependencies).map((i) => graph.ids[i]!);
}

/** Every step that depends on `stepId`, directly or not, in spec order. */
export function downstreamOf(spec: DagSpec, stepId: string): string[] {
  const graph = dependencyGraph(spec);
  return reachable(graph, nodeOf(graph, stepId), graph.dependents).map((i) => graph.ids[i]!);
}

/** Nodes reachable from `start` along `edges`, `start` excluded, sorted. */
export function reachable(
  graph: DependencyGraph,
  start: number,
  edges: readonly (readonly number[])[],
): number[] {
  const visited = new Uint8Array(graph.ids.length);
  visited[start] = 1;
  const queue = [start];
  const found: number[] = [];
  for (let head = 0; head < queue.length; head++) {
    for (const next of edges[queue[head]!]!) {
      if (visited[next]) continue;
      visited[next] = 1;
      queue.push(next);
      found.push(next);
    }
  }
  return found.sort((a, b) => a - b);
}

/**
 * Answers "does `node` depend on `candidate`, directly or not?" for many pairs at once, as
 * validation must for every output reference. Ancestor sets are bitsets built once along a
 * topological order (3 MB for 5,000 steps); a node on or below a cycle has no such order, so
 * for it the answer falls back to a search that stops as soon as it finds the candidate.
 */
export function upstreamTester(graph: DependencyGraph): (node: number, candidate: number) => boolean {
  const n = graph.ids.length;
  const words = (n + 31) >>> 5;
  const ancestors = new Uint32Array(n * words);
  const ordered = new Uint8Array(n);
  const unmet = graph.dependencies.map((deps) => deps.length);
  const queue: number[] = [];
  for (const [node, count] of unmet.entries()) if (count === 0) queue.push(node);
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    ordered[node] = 1;
    const row = node * words;
    for (const dep of graph.dependencies[node]!) {
      ancestors[row + (dep >>> 5)]! |= 1 << (dep & 31);
      const depRow = dep * words;
      for (let w = 0; w < words; w++) ancestors[row + w]! |= ancestors[depRow + w]!;
    }
    for (const dependent of graph.dependents[node]!) if (--unmet[dependent]! === 0) queue.push(dependent);
  }
  return (node, candidate) =>
    ordered[node]
      ? (ancestors[node * words + (candidate >>> 5)]! & (1 << (candidate & 31))) !== 0
      : searchUp(graph, node, candidate);
}

function searchUp(graph: DependencyGraph, node: number, candidate: number): boolean {
  const visited = new Uint8Array(graph.ids.length);
  const queue = [node];
  for (let head = 0; head < queue.length; head++) {
    for (const dep of graph.dependencies[queue[head]!]!) {
      if (dep === candidate) return true;
      if (visited[dep]) continue;
      visited[dep] = 1;
      queue.push(dep);
    }
  }
  return false;
}

function nodeOf(graph: DependencyGraph, stepId: string): number {
  const node = graph.index.get(stepId);
  if (node === undefined) throw new Error(`pipeline has no step "${stepId}"`);
  return node;
}

/** The graph of a spec that must already be valid; anything else is the caller's bug. */
function strictGraph(spec: DagSpec): DependencyGraph {
  const graph = dependencyGraph(spec);
  if (graph.ids.length !== spec.steps.length) {
    throw new Error('pipeline has duplicate step ids; validate it before scheduling');
  }
  for (const step of spec.steps) {
    for (const dep of step.dependsOn ?? []) {
      if (dep === step.id || !graph.index.has(dep)) {
        throw new Error(`step "${step.id}" depends on "${dep}", which it cannot; validate the pipeline first`);
      }
    }
  }
  const [cycle] = findCycles(graph);
  if (cycle) throw new Error(`pipeline has a dependency cycle: ${cycle.join(' -> ')}`);
  return graph;
}

/**
 * The scheduler's whole state, as plain JSON. Step i is `steps[i]`. The functions below change
 * it in place: copying 5,000-entry arrays on every completion would make a run quadratic.
 */
export interface ScheduleState {
  readonly maxParallel: number;
  readonly steps: readonly string[];
  readonly status: StepState[];
  /** Per step, the steps that depend on it. */
  readonly dependents: readonly (readonly number[])[];
  /** Per step, how many of its dependencies have not yet succeeded (or been cached). */
  readonly unmet: number[];
  /** Pending steps whose dependencies are all met, as a binary min-heap so spec order wins. */
  readonly readyHeap: number[];
  running: number;
  pending: number;
}

export function createSchedule(spec: DagSpec): ScheduleState {
  const graph = strictGraph(spec);
  const unmet = graph.dependencies.map((deps) => deps.length);
  const readyHeap: number[] = [];
  // Pushed in ascending order, the array already satisfies the heap property.
  for (const [node, count] of unmet.entries()) if (count === 0) readyHeap.push(node);
  return {
    maxParallel: spec.maxParallel ?? DEFAULT_MAX_PARALLEL,
    steps: [...graph.ids],
    status: graph.ids.map((): StepState => 'pending'),
    dependents: graph.dependents.map((list) => [...list]),
    unmet,
    readyHeap,
    running: 0,
    pending: graph.ids.length,
  };
}

/**
 * The steps to start now, in spec order, marked `running`: pending steps whose dependencies
 * all succeeded or were cached, as many as fit under `maxParallel` beside those already running.
 */
export function ready(state: ScheduleState): string[] {
  const started: string[] = [];
  while (state.running < state.maxParallel) {
    const node = heapPop(state.readyHeap);
    if (node === undefined) break;
    // The heap may still hold steps cancelled or completed ahead of time; drop them here.
    if (state.status[node] !== 'pending') continue;
    state.status[node] = 'running';
    state.running++;
    state.pending--;
    started.push(state.steps[node]!);
  }
  return started;
}

/**
 * Records how a step ended. A step that failed takes every pending step downstream of it to
 * `upstream_failed`, and one skipped takes them to `skipped`, since none of them can run now;
 * other branches are untouched. A pending step may be completed too, for a step whose cached
 * result is known before it starts. Returns the downstream steps this changed, in spec order.
 */
export function complete(state: ScheduleState, stepId: string, outcome: StepOutcome): string[] {
  const node = indexOf(state, stepId);
  const current = state.status[node];
  if (current === 'running') state.running--;
  else if (current === 'pending') state.pending--;
  else throw new Error(`step "${stepId}" has already ended (${current}); it cannot become ${outcome}`);
  state.status[node] = outcome;

  if (outcome === 'succeeded' || outcome === 'cached') {
    for (const dependent of state.dependents[node]!) {
      if (--state.unmet[dependent]! === 0 && state.status[dependent] === 'pending') {
        heapPush(state.readyHeap, dependent);
      }
    }
    return [];
  }

  const mark: StepState = outcome === 'failed' ? 'upstream_failed' : 'skipped';
  const changed: number[] = [];
  const queue = [node];
  for (let head = 0; head < queue.length; head++) {
    for (const dependent of state.dependents[queue[head]!]!) {
      // A step that already ended (a cached one, say) shields its own dependents: they never
      // needed this step's result.
      if (state.status[dependent] !== 'pending') continue;
      state.status[dependent] = mark;
      state.pending--;
      changed.push(dependent);
      queue.push(dependent);
    }
  }
  return changed.sort((a, b) => a - b).map((i) => state.steps[i]!);
}

/** True once no step is pending or running. */
export function isFinished(state: ScheduleState): boolean {
  return state.pending === 0 && state.running === 0;
}

/**
 * Marks every pending step `skipped` and returns them. Running steps keep running: only their
 * completion can say how they ended.
 */
export function cancel(state: ScheduleState): string[] {
  const skipped: string[] = [];
  state.status.forEach((status, node) => {
    if (status !== 'pending') return;
    state.status[node] = 'skipped';
    skipped.push(state.steps[node]!);
  });
  state.pending = 0;
  return skipped;
}

export function stateOf(state: ScheduleState, stepId: string): StepState {
  return state.status[indexOf(state, stepId)]!;
}

/** Every step's state by id, for run records and custom status. */
export function stepStates(state: ScheduleState): Record<string, StepState> {
  return Object.fromEntries(state.steps.map((id, node) => [id, state.status[node]!]));
}

// The id-to-index map is derived data, so it lives beside the state rather than in it; a
// state that went through JSON simply gets its map rebuilt on first use.
const indexes = new WeakMap<ScheduleState, Map<string, number>>();

function indexOf(state: ScheduleState, stepId: string): number {
  let index = indexes.get(state);
  if (index === undefined) {
    index = new Map(state.steps.map((id, node) => [id, node]));
    indexes.set(state, index);
  }
  const node = index.get(stepId);
  if (node === undefined) throw new Error(`pipeline has no step "${stepId}"`);
  return node;
}

function heapPush(heap: number[], value: number): void {
  heap.push(value);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= value) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): number | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const smaller = right < heap.length && heap[right]! < heap[left]! ? right : left;
    if (heap[smaller]! >= last) break;
    heap[i] = heap[smaller]!;
    i = smaller;
  }
  heap[i] = last;
  return top;
}
