/**
 * bench/drift: the numeric drift statistics (shared/drift/statistics.ts) for 20 features x
 * 1,000,000 current rows against a 100,000-row reference, generated in this process, beside a
 * plain single pass that only reads and sums the same arrays (the memory-bound floor), in the
 * same run. The statistics need sorted input, so sorting (sortedFinite) is timed too.
 * Prints the median of 5 rounds (after a warm-up); BENCH_DRIFT_ROWS shrinks the current rows.
 */
import { kolmogorovSmirnov, psi, sortedFinite, wasserstein } from '../shared/drift/statistics.js';

const features = 20;
const currentRows = Number(process.env.BENCH_DRIFT_ROWS ?? 1_000_000);
const referenceRows = 100_000;
const rounds = 5;

/** xorshift32 uniforms and Box-Muller normals: fast enough that generating stays a side cost. */
function generator(seed: number): { uniform: () => number; normal: () => number } {
  let state = seed >>> 0 || 1;
  const uniform = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4_294_967_296;
  };
  const normal = (): number => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return { uniform, normal };
}

/** Four shapes (normal, log-normal, uniform, rounded with many ties); the current side drifts a little. */
function featureColumn(feature: number, rows: number, drift: number, seed: number): Float64Array {
  const { uniform, normal } = generator(seed);
  const column = new Float64Array(rows);
  for (let k = 0; k < rows; k++) {
    switch (feature % 4) {
      case 0:
        column[k] = 10 + drift + 2 * normal();
        break;
      case 1:
        column[k] = Math.exp(0.5 * normal() + drift);
        break;
      case 2:
        column[k] = 100 * uniform() + 10 * drift;
        break;
      default:
        column[k] = Math.round(5 * normal() + 5 * drift);
    }
  }
  return column;
}

type Step = 'floor' | 'sortCurrent' | 'sortReference' | 'psi' | 'ks' | 'wasserstein';
const steps: Step[] = ['floor', 'sortCurrent', 'sortReference', 'psi', 'ks', 'wasserstein'];

/** The floor: one pass over both samples that only reads and sums. */
function readAndSum(current: Float64Array, reference: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < current.length; k++) sum += current[k] as number;
  for (let k = 0; k < reference.length; k++) sum += reference[k] as number;
  return sum;
}

let sink = 0;

/** Times every step on one feature; returns milliseconds per step. */
function measure(current: Float64Array, reference: Float64Array): Record<Step, number> {
  const timings = {} as Record<Step, number>;
  let started = performance.now();
  sink += readAndSum(current, reference);
  timings.floor = performance.now() - started;

  started = performance.now();
  const currentSorted = sortedFinite(current);
  timings.sortCurrent = performance.now() - started;

  started = performance.now();
  const referenceSorted = sortedFinite(reference);
  timings.sortReference = performance.now() - started;

  started = performance.now();
  sink += psi(referenceSorted, currentSorted);
  timings.psi = performance.now() - started;

  started = performance.now();
  sink += kolmogorovSmirnov(referenceSorted, currentSorted).statistic;
  timings.ks = performance.now() - started;

  started = performance.now();
  sink += wasserstein(referenceSorted, currentSorted);
  timings.wasserstein = performance.now() - started;
  return timings;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function main(): void {
  process.stdout.write(`generating ${features} features x ${currentRows.toLocaleString('en-US')} current + ${referenceRows.toLocaleString('en-US')} reference rows ...`);
  let started = performance.now();
  const columns = Array.from({ length: features }, (_, feature) => ({
    current: featureColumn(feature, currentRows, 0.05 * (feature % 3), 1_000 + feature),
    reference: featureColumn(feature, referenceRows, 0, 2_000 + feature),
  }));
  console.log(` ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Warm-up: let the JIT compile every path before anything is timed.
  for (const { current, reference } of columns.slice(0, 4)) measure(current, reference);

  // totals[step][round]: milliseconds for all features in that round.
  const totals = Object.fromEntries(steps.map((step) => [step, [] as number[]])) as Record<Step, number[]>;
  for (let round = 0; round < rounds; round++) {
    const sums = Object.fromEntries(steps.map((step) => [step, 0])) as Record<Step, number>;
    for (const { current, reference } of columns) {
      const timings = measure(current, reference);
      for (const step of steps) sums[step] += timings[step];
    }
    for (const step of steps) totals[step].push(sums[step]);
    process.stdout.write(`\r  round ${round + 1}/${rounds}`);
  }
  process.stdout.write('\r'.padEnd(20) + '\r');

  const total = (step: Step): number => median(totals[step]);
  const floor = total('floor');
  const statistics = total('psi') + total('ks') + total('wasserstein');
  const rows: [string, number][] = [
    ['floor: read + sum both samples', floor],
    [`sortedFinite current (${currentRows.toLocaleString('en-US')})`, total('sortCurrent')],
    [`sortedFinite reference (${referenceRows.toLocaleString('en-US')})`, total('sortReference')],
    ['psi (10 reference deciles)', total('psi')],
    ['kolmogorovSmirnov (D + p-value)', total('ks')],
    ['wasserstein', total('wasserstein')],
    ['psi + KS + Wasserstein (sorted input)', statistics],
    ['sort both + psi + KS + Wasserstein', statistics + total('sortCurrent') + total('sortReference')],
  ];
  console.log('| step | per feature | 20 features | ratio to floor |');
  console.log('|---|---|---|---|');
  for (const [name, ms] of rows) {
    console.log(`| ${name} | ${(ms / features).toFixed(3)} ms | ${ms.toFixed(1)} ms | ${(ms / floor).toFixed(ms / floor < 10 ? 2 : 1)} |`);
  }
  console.log(`\nmedian of ${rounds} rounds, Node ${process.version}, ${new Date().toISOString()} (checksum ${sink.toExponential(3)})`);
}

main();
