import { describe, expect, it } from 'vitest';
import {
  cancel,
  complete,
  createSchedule,
  dependencyGraph,
  downstreamOf,
  findCycles,
  isFinished,
  ready,
  stateOf,
  topologicalOrder,
  upstreamOf,
  upstreamTester,
  type DagSpec,
  type StepOutcome,
  type StepState,
} from '../../../shared/pipelines/dag.js';
import { prng } from '../drift/random.js';

// The graph functions and the scheduler against references written the slow, obvious way: a
// reachability matrix closed by Floyd-Warshall, Kahn's algorithm with a linear scan for the
// earliest free step, and fixpoints for what a failure takes down.

/** A random spec of n steps; each dependency points backwards unless cycles are allowed. */
function randomSpec(random: () => number, n: number, density: number, cycles: boolean): DagSpec {
  return {
    steps: Array.from({ length: n }, (_, i) => {
      const dependsOn: string[] = [];
      for (let j = 0; j < n; j++) if (j !== i && (cycles || j < i) && random() < density) dependsOn.push(`s${j}`);
      // Shuffled, and sometimes with a repeat, which must count once.
      dependsOn.sort(() => random() - 0.5);
      if (dependsOn.length && random() < 0.2) dependsOn.push(dependsOn[0] as string);
      return { id: `s${i}`, dependsOn };
    }),
  };
}

/** A spec whose step order is shuffled, so spec order and dependency order differ. */
function shuffled(spec: DagSpec, random: () => number): DagSpec {
  return { steps: [...spec.steps].sort(() => random() - 0.5) };
}

/** reach[i][j]: step i depends on step j, directly or not (indexes in spec order). */
function closure(spec: DagSpec): boolean[][] {
  const ids = spec.steps.map((s) => s.id);
  const reach = ids.map(() => ids.map(() => false));
  spec.steps.forEach((step, i) => {
    for (const dep of step.dependsOn ?? []) reach[i]![ids.indexOf(dep)] = true;
  });
  for (let k = 0; k < ids.length; k++) for (let i = 0; i < ids.length; i++) for (let j = 0; j < ids.length; j++) if (reach[i]![k] && reach[k]![j]) reach[i]![j] = true;
  return reach;
}

function referenceTopologicalOrder(spec: DagSpec): string[] {
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < spec.steps.length) {
    const next = spec.steps.find((s) => !done.has(s.id) && (s.dependsOn ?? []).every((d) => done.has(d)));
    if (!next) throw new Error('cycle');
    done.add(next.id);
    order.push(next.id);
  }
  return order;
}

describe('graph functions against a reachability matrix', () => {
  it('orders, finds upstream and downstream steps, and answers upstream queries on random DAGs', () => {
    const random = prng(3);
    for (let trial = 0; trial < 30; trial++) {
      const spec = shuffled(randomSpec(random, 2 + (trial % 12), 0.3, false), random);
      const ids = spec.steps.map((s) => s.id);
      const reach = closure(spec);
      expect(topologicalOrder(spec)).toEqual(referenceTopologicalOrder(spec));
      expect(findCycles(spec)).toEqual([]);
      const graph = dependencyGraph(spec);
      expect(graph.ids).toEqual(ids);
      const upstream = upstreamTester(graph);
      expect(ids.map((id) => upstreamOf(spec, id))).toEqual(ids.map((_, i) => ids.filter((_, j) => reach[i]![j])));
      expect(ids.map((id) => downstreamOf(spec, id))).toEqual(ids.map((_, i) => ids.filter((_, j) => reach[j]![i])));
      expect(ids.map((_, i) => ids.map((_, j) => upstream(i, j)))).toEqual(reach);
    }
  });

  it('answers upstream queries past 32 steps, where the ancestor bitsets take more than one word', () => {
    const random = prng(31);
    for (const [n, cycles] of [
      [70, false],
      [45, true],
    ] as const) {
      const spec = randomSpec(random, n, 0.04, cycles);
      const reach = closure(spec);
      const upstream = upstreamTester(dependencyGraph(spec));
      expect(spec.steps.map((_, i) => spec.steps.map((_, j) => upstream(i, j)))).toEqual(reach);
    }
  });

  it('answers upstream queries on graphs with cycles, and reports a cycle through every knot', () => {
    const random = prng(8);
    for (let trial = 0; trial < 30; trial++) {
      const spec = randomSpec(random, 2 + (trial % 10), 0.15 + (trial % 3) * 0.1, true);
      const ids = spec.steps.map((s) => s.id);
      const reach = closure(spec);
      const upstream = upstreamTester(dependencyGraph(spec));
      expect(ids.map((_, i) => ids.map((_, j) => upstream(i, j)))).toEqual(reach);

      const cycles = findCycles(spec);
      const edges = new Set(spec.steps.flatMap((s) => (s.dependsOn ?? []).map((d) => `${s.id}>${d}`)));
      const keys = new Set<string>();
      for (const cycle of cycles) {
        // Closed, made of real edges, spelled from its earliest step, each reported once.
        expect(cycle[0]).toBe(cycle.at(-1));
        for (let k = 0; k + 1 < cycle.length; k++) expect(edges.has(`${cycle[k]}>${cycle[k + 1]}`), cycle.join(' -> ')).toBe(true);
        const body = cycle.slice(0, -1);
        expect(new Set(body).size).toBe(body.length);
        expect(Math.min(...body.map((id) => ids.indexOf(id)))).toBe(ids.indexOf(cycle[0] as string));
        expect(keys.has(body.join())).toBe(false);
        keys.add(body.join());
      }
      // Every strongly connected knot (steps that reach each other) holds at least one reported cycle.
      ids.forEach((id, i) => {
        if (!reach[i]![i]) return;
        const knot = new Set(ids.filter((_, j) => reach[i]![j] && reach[j]![i]));
        expect(cycles.some((cycle) => knot.has(cycle[0] as string)), `a cycle through ${id}`).toBe(true);
      });
      if (cycles.length === 0) expect(ids.some((_, i) => reach[i]![i])).toBe(false);
    }
  });
});

describe('the scheduler against a step-by-step reference', () => {
  it('starts the earliest free steps up to maxParallel and takes down exactly what a failure or skip blocks', () => {
    const random = prng(13);
    const outcomes: StepOutcome[] = ['succeeded', 'succeeded', 'cached', 'failed', 'skipped'];
    for (let trial = 0; trial < 40; trial++) {
      const spec = shuffled(randomSpec(random, 3 + (trial % 14), 0.25, false), random);
      const maxParallel = 1 + (trial % 4);
      const ids = spec.steps.map((s) => s.id);
      const deps = spec.steps.map((s) => [...new Set(s.dependsOn ?? [])].map((d) => ids.indexOf(d)));
      const state = createSchedule({ ...spec, maxParallel });
      const status: StepState[] = ids.map(() => 'pending');
      const running: number[] = [];
      let cancelled = false;

      for (let round = 0; round < 200; round++) {
        const free = ids.map((_, i) => i).filter((i) => status[i] === 'pending' && deps[i]!.every((d) => status[d] === 'succeeded' || status[d] === 'cached'));
        const expected = free.slice(0, Math.max(0, maxParallel - running.length));
        expect(ready(state)).toEqual(expected.map((i) => ids[i]));
        for (const i of expected) status[i] = 'running';
        running.push(...expected);
        expect(state.running).toBe(running.length);

        const finished = status.every((s) => s !== 'pending' && s !== 'running');
        expect(isFinished(state)).toBe(finished);
        if (finished) break;
        if (!cancelled && random() < 0.03) {
          const pending = ids.filter((_, i) => status[i] === 'pending');
          expect(cancel(state)).toEqual(pending);
          status.forEach((s, i) => s === 'pending' && (status[i] = 'skipped'));
          cancelled = true;
          continue;
        }
        // End a running step, or now and then a pending one whose result is known (a cached step).
        const pendingOnes = status.map((s, i) => (s === 'pending' ? i : -1)).filter((i) => i >= 0);
        const early = pendingOnes.length > 0 && random() < 0.1;
        const node = early ? (pendingOnes[Math.floor(random() * pendingOnes.length)] as number) : (running.splice(Math.floor(random() * running.length), 1)[0] as number);
        const outcome = early ? 'cached' : (outcomes[Math.floor(random() * outcomes.length)] as StepOutcome);
        status[node] = outcome;

        // What the outcome takes down: pending steps that (transitively, through pending steps) depend on it.
        const mark: StepState | undefined = outcome === 'failed' ? 'upstream_failed' : outcome === 'skipped' ? 'skipped' : undefined;
        const changed: number[] = [];
        if (mark) {
          const down = new Set([node]);
          for (let grew = true; grew; ) {
            grew = false;
            ids.forEach((_, i) => {
              if (status[i] === 'pending' && !down.has(i) && deps[i]!.some((d) => down.has(d))) {
                down.add(i);
                changed.push(i);
                grew = true;
              }
            });
          }
          for (const i of changed) status[i] = mark;
        }
        expect(complete(state, ids[node] as string, outcome)).toEqual(changed.sort((a, b) => a - b).map((i) => ids[i]));
        expect(ids.map((id) => stateOf(state, id))).toEqual(status);
      }
      expect(isFinished(state)).toBe(true);
    }
  });
});
