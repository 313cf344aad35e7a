/**
 * npm run drift:study -- [--reps N] [--large-reps N] [--out FILE]
 *
 * Detection power of the drift tests: for each shift of tools/drift-study/scenarios.ts (no
 * shift = the false-positive control) and each sample size (100, 1,000, 10,000 and 100,000
 * values a side), draws a reference and a current sample `reps` times (`large-reps` from
 * 10,000 on, where the exact KS p-value and the sorting cost most), runs Arbor's own evaluation on them (shared/drift/evaluate.ts, so the statistics are
 * the tested ones) and counts how often each candidate test calls the pair drifted. Seeded: the
 * same table every run. Prints Markdown (docs/drift-study.md holds a copy and the reasoning).
 */
import { writeFile } from 'node:fs/promises';
import { evaluateDrift, largeSample } from '../shared/drift/evaluate.js';
import type { FeatureDrift } from '../shared/drift/report.js';
import type { FeatureSample } from '../shared/drift/samples.js';
import { categoricalCounts, categoryShares, numericReference, prng, scenarios, type Family, type Scenario } from './drift-study/scenarios.js';

const sizes = [100, 1_000, 10_000, 100_000] as const;

interface Candidate {
  name: string;
  drifted(feature: FeatureDrift, n: number): boolean;
}

const stat = (feature: FeatureDrift, name: string): number => feature.statistics[name] ?? NaN;
const large = (n: number) => n >= largeSample;

/** The tests compared: the defaults before this study, Arbor's defaults now (what evaluateDrift decided), and each candidate alone. */
const numericCandidates: Candidate[] = [
  { name: 'old default (PSI 0.2 / KS)', drifted: (f, n) => (large(n) ? stat(f, 'psi') > 0.2 : stat(f, 'ks_p_value') < 0.05) },
  { name: 'default now', drifted: (f) => f.drifted },
  { name: 'PSI > 0.1', drifted: (f) => stat(f, 'psi') > 0.1 },
  { name: 'PSI > 0.2', drifted: (f) => stat(f, 'psi') > 0.2 },
  { name: 'KS p < 0.05', drifted: (f) => stat(f, 'ks_p_value') < 0.05 },
  { name: 'W/sd > 0.1', drifted: (f) => stat(f, 'wasserstein_normed') > 0.1 },
  { name: 'W/sd > 0.05', drifted: (f) => stat(f, 'wasserstein_normed') > 0.05 },
];

const categoricalCandidates: Candidate[] = [
  { name: 'default (JS 0.1 / chi-square)', drifted: (f) => f.drifted },
  { name: 'chi-square p < 0.05', drifted: (f) => stat(f, 'chi_square_p_value') < 0.05 },
  { name: 'JS > 0.1', drifted: (f) => stat(f, 'jensen_shannon') > 0.1 },
  { name: 'JS > 0.05', drifted: (f) => stat(f, 'jensen_shannon') > 0.05 },
  { name: 'PSI > 0.1', drifted: (f) => stat(f, 'psi') > 0.1 },
  { name: 'PSI > 0.2', drifted: (f) => stat(f, 'psi') > 0.2 },
];

/** A seed per (size, repetition, stream) so that every sample is reproducible on its own. */
const seedOf = (size: number, rep: number, stream: number) => (size * 7_919 + rep * 104_729 + stream * 15_485_863) >>> 0;

function numericSample(values: Float64Array): FeatureSample {
  return { kind: 'numeric', rows: values.length, nulls: 0, sorted: values.sort() };
}

function referenceOf(family: Family, size: number, rep: number): FeatureSample {
  const uniform = prng(seedOf(size, rep, family === 'normal' ? 1 : family === 'amounts' ? 2 : 3));
  if (family === 'categories') return { kind: 'categorical', rows: size, nulls: 0, counts: categoricalCounts(categoryShares, uniform, size) };
  return numericSample(numericReference(family, uniform, size));
}

function currentOf(scenario: Scenario, index: number, size: number, rep: number): FeatureSample {
  const uniform = prng(seedOf(size, rep, 100 + index));
  if (scenario.kind === 'categorical') return { kind: 'categorical', rows: size, nulls: 0, counts: categoricalCounts(scenario.shares, uniform, size) };
  return numericSample(scenario.current(uniform, size));
}

interface Cell {
  hits: number[];
  reps: number;
  /** The statistics of every repetition, for medians. */
  scores: Record<string, number[]>;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function run(reps: number, largeReps: number): Map<string, Cell> {
  const cells = new Map<string, Cell>();
  for (const size of sizes) {
    const count = size >= 10_000 ? largeReps : reps;
    for (let rep = 0; rep < count; rep++) {
      const references = new Map<Family, FeatureSample>();
      scenarios.forEach((scenario, index) => {
        let reference = references.get(scenario.family);
        if (!reference) references.set(scenario.family, (reference = referenceOf(scenario.family, size, rep)));
        const current = currentOf(scenario, index, size, rep);
        const feature = evaluateDrift({ rows: size, features: { x: reference } }, { rows: size, features: { x: current } }).features.x!;
        const candidates = scenario.kind === 'numeric' ? numericCandidates : categoricalCandidates;
        const key = `${scenario.name}|${size}`;
        let cell = cells.get(key);
        if (!cell) cells.set(key, (cell = { hits: candidates.map(() => 0), reps: 0, scores: {} }));
        cell.reps++;
        candidates.forEach((candidate, k) => {
          if (candidate.drifted(feature, size)) cell.hits[k] = (cell.hits[k] as number) + 1;
        });
        for (const [name, value] of Object.entries(feature.statistics)) if (value !== null) (cell.scores[name] ??= []).push(value);
      });
    }
    process.stderr.write(`size ${size}: ${count} repetitions done\n`);
  }
  return cells;
}

const percent = (hits: number, reps: number) => `${Math.round((100 * hits) / reps)}%`;

function format(cells: Map<string, Cell>, reps: number, largeReps: number, cpuSeconds: number): string {
  const lines: string[] = [];
  const sizeLabel = (size: number) => size.toLocaleString('en-US');
  lines.push(
    `Share of repetitions called drifted (${reps} per cell at 100 and 1,000, ${largeReps} at 10,000 and 100,000; both samples of the size shown). On the "none" rows that share is the false-positive rate; on the others it is the detection power. ${cpuSeconds.toFixed(0)} s of CPU.`,
    '',
  );
  for (const [kind, candidates] of [
    ['numeric', numericCandidates],
    ['categorical', categoricalCandidates],
  ] as const) {
    for (const size of sizes) {
      lines.push(`### ${kind}, ${sizeLabel(size)} values a side`, '');
      lines.push(`| shift | ${candidates.map((c) => c.name).join(' | ')} |`, `|---|${candidates.map(() => '---:').join('|')}|`);
      for (const scenario of scenarios.filter((s) => s.kind === kind)) {
        const cell = cells.get(`${scenario.name}|${size}`)!;
        lines.push(`| ${scenario.name} | ${cell.hits.map((h) => percent(h, cell.reps)).join(' | ')} |`);
      }
      lines.push('');
    }
  }
  lines.push('### Median statistics at 100,000 values a side', '');
  lines.push('| shift | PSI | KS D | W/sd | Jensen-Shannon |', '|---|---:|---:|---:|---:|');
  for (const scenario of scenarios) {
    const cell = cells.get(`${scenario.name}|100000`)!;
    const m = (name: string) => (cell.scores[name]?.length ? median(cell.scores[name]!).toFixed(3) : '');
    lines.push(`| ${scenario.name} | ${m('psi')} | ${m('ks')} | ${m('wasserstein_normed')} | ${m('jensen_shannon')} |`);
  }
  lines.push('');
  return lines.join('\n');
}

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const reps = Number(option(args, '--reps') ?? 100);
  const largeReps = Number(option(args, '--large-reps') ?? 40);
  const out = option(args, '--out');
  if (!(Number.isInteger(reps) && reps > 0 && Number.isInteger(largeReps) && largeReps > 0)) throw new Error('--reps and --large-reps take positive integers');
  const started = process.cpuUsage();
  const cells = run(reps, largeReps);
  const used = process.cpuUsage(started);
  const report = format(cells, reps, largeReps, (used.user + used.system) / 1e6);
  process.stdout.write(report);
  if (out) await writeFile(out, report);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
