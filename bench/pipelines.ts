/**
 * bench/pipelines: DAGs of 100 and 1,000 no-op steps (chain, wide fan-out, random DAG) run
 * through the local host, against the same DAG run with plain Promises in one process by the
 * same scheduler. Prints total time and overhead per step for each; then, per step, what the
 * host did (replays, activities, Cosmos DB and history operations, machine-independent) and the
 * storage floor those operations cost at the emulators' own p50 (raw SDK calls, same run).
 */
import { randomBytes } from 'node:crypto';
import { complete, createSchedule, isFinished, ready } from '../shared/pipelines/dag.js';
import { runMain, withBenchHost } from './support/host.js';
import { measureStorageFloor, type StorageFloor } from './support/storage-floor.js';

type Step = { id: string; uses: string; dependsOn: string[] };
const maxParallel = 64;
/** The durable API answers only to the host's system key. */
const systemKey = randomBytes(24).toString('base64url');

function chain(size: number): Step[] {
  return Array.from({ length: size }, (_, i) => ({ id: `s${i}`, uses: 'noop', dependsOn: i ? [`s${i - 1}`] : [] }));
}

function fanOut(size: number): Step[] {
  return Array.from({ length: size }, (_, i) => ({ id: `s${i}`, uses: 'noop', dependsOn: i ? ['s0'] : [] }));
}

function randomDag(size: number): Step[] {
  let state = 42;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  return Array.from({ length: size }, (_, i) => {
    const deps = new Set<string>();
    for (let k = 0; k < 2 && i > 0; k++) if (next() < 0.8) deps.add(`s${Math.floor(next() * i)}`);
    return { id: `s${i}`, uses: 'noop', dependsOn: [...deps] };
  });
}

/** The baseline: the same DAG, the same scheduler, each step an async no-op in this process. */
async function baseline(steps: Step[]): Promise<number> {
  const started = performance.now();
  const schedule = createSchedule({ steps, maxParallel });
  const running = new Map<string, Promise<string>>();
  while (!isFinished(schedule)) {
    for (const id of ready(schedule)) running.set(id, Promise.resolve().then(() => id));
    const done = await Promise.race(running.values());
    running.delete(done);
    complete(schedule, done, 'succeeded');
  }
  return performance.now() - started;
}

async function runThroughHost(url: string, name: string, steps: Step[]): Promise<number> {
  const registered = await fetch(`${url}/api/pipelines`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, maxParallel, steps }) });
  if (registered.status !== 201) throw new Error(`register ${name}: ${registered.status} ${await registered.text()}`);
  const started = performance.now();
  const response = await fetch(`${url}/api/pipelines/${name}/runs`, { method: 'POST' });
  const { runId } = (await response.json()) as { runId: string };
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const status = (await (await fetch(`${url}/runtime/webhooks/durabletask/instances/${runId}`, { headers: { 'x-functions-key': systemKey } })).json()) as { runtimeStatus: string; customStatus?: { done: number; total: number } };
    if (status.runtimeStatus === 'Completed') return performance.now() - started;
    if (status.runtimeStatus === 'Failed') throw new Error(`${name} failed`);
    const progress = status.customStatus ? `${status.customStatus.done}/${status.customStatus.total}` : '...';
    process.stdout.write(`\r  ${name.padEnd(22)} ${progress.padEnd(12)}`);
  }
}

/** Sums of the counters a run moves, from the host's exposition: what a step costs whatever the machine. */
async function counts(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/api/metrics`)).text();
  const totals: Record<string, number> = { replays: 0, activities: 0, cosmosReads: 0, cosmosWrites: 0, historyWrites: 0 };
  for (const [, name, labels, value] of text.matchAll(/^(arbor_function_invocations_total|arbor_storage_operations_total)\{([^}]*)\} (\S+)$/gm)) {
    const n = Number(value);
    if (name === 'arbor_function_invocations_total') {
      if (labels?.includes('trigger="orchestrationTrigger"')) totals.replays = (totals.replays ?? 0) + n;
      if (labels?.includes('trigger="activityTrigger"')) totals.activities = (totals.activities ?? 0) + n;
    } else if (labels?.includes('store="blob"')) {
      if (labels.includes('operation="write"')) totals.historyWrites = (totals.historyWrites ?? 0) + n;
    } else if (labels?.includes('store="cosmos"')) {
      const key = /operation="(write|delete)"/.test(labels) ? 'cosmosWrites' : 'cosmosReads';
      totals[key] = (totals[key] ?? 0) + n;
    }
  }
  return totals;
}

async function main(): Promise<void> {
  const rows: string[] = [];
  const costRows: string[] = [];
  const sizes = (process.env.BENCH_PIPELINE_SIZES ?? '100,1000').split(',').map(Number);
  let floor: StorageFloor | undefined;
  await withBenchHost('.arbor/bench', { ARBOR_SYSTEM_KEY: systemKey }, async (host) => {
    floor = await measureStorageFloor(host.env);
    for (const size of sizes) {
      for (const [shape, build] of [['chain', chain], ['fan-out', fanOut], ['random', randomDag]] as const) {
        const steps = build(size);
        const base = await baseline(steps);
        const before = await counts(host.url);
        const arbor = await runThroughHost(host.url, `bench-${shape}-${size}-${Date.now() % 100000}`, steps);
        const after = await counts(host.url);
        const per = (key: string) => ((after[key] ?? 0) - (before[key] ?? 0)) / size;
        const perStep = (key: string) => per(key).toFixed(2).padStart(6);
        const f = floor as StorageFloor;
        const storageMs = per('cosmosReads') * f.cosmosRead + per('cosmosWrites') * f.cosmosWrite + per('historyWrites') * f.blobAppend;
        costRows.push(
          `| ${shape.padEnd(7)} | ${String(size).padStart(5)} | ${perStep('replays')} | ${perStep('activities')} | ${perStep('cosmosReads')} | ${perStep('cosmosWrites')} | ${perStep('historyWrites')} | ${storageMs.toFixed(1)} ms | ${(arbor / size).toFixed(1)} ms |`,
        );
        process.stdout.write('\r'.padEnd(40) + '\r');
        rows.push(
          `| ${shape.padEnd(7)} | ${String(size).padStart(5)} | ${(arbor / 1000).toFixed(2).padStart(8)} s | ${(arbor / size).toFixed(1).padStart(6)} ms | ${base.toFixed(2).padStart(8)} ms | ${((arbor - base) / size).toFixed(1).padStart(6)} ms |`,
        );
        console.log(rows.at(-1));
      }
    }
  });
  console.log('\n| shape   | steps | Arbor total | per step | Promises baseline | overhead per step |');
  console.log('|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log('\nPer step (machine-independent; counted by the host between the start and the end of each run):');
  const f = floor as StorageFloor;
  console.log(`\nStorage floor (raw SDK, p50, same emulators): Cosmos upsert ${f.cosmosWrite.toFixed(2)} ms, point read ${f.cosmosRead.toFixed(2)} ms, blob append ${f.blobAppend.toFixed(2)} ms`);
  console.log('\n| shape   | steps | orchestrator replays | activity invocations | Cosmos reads and queries | Cosmos writes | history appends | their storage floor | time per step |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const row of costRows) console.log(row);
  console.log(`\nmaxParallel ${maxParallel}, 32 concurrent activities, local host with Azurite and cosmosdb-server in memory, ${new Date().toISOString()}`);
}

runMain(main);
