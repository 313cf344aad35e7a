import { z } from 'zod';
import { DemoError, expectAnswer, runPipeline } from './api.js';
import type { DemoContext } from './context.js';
import { count, seconds, timed } from './report.js';
import { describeTraffic, startTraffic, type ServedRow, type Traffic } from './traffic.js';

export interface DriftResult {
  referenceRows: number;
  currentRows: number;
  drifted: boolean;
  driftedFeatures: string[];
  features: Record<string, { test: string; score: number; threshold: number; drifted: boolean }>;
}

const featureReport = z.object({ test: z.string(), score: z.number(), threshold: z.number(), drifted: z.boolean() });
const report_ = z.object({ latest: z.object({ drifted: z.boolean(), features: z.record(z.string(), featureReport) }) });

/** How the traffic changes: amounts over twice as large, three in ten transactions at risky merchants. */
const shift = { amountScale: 2.2, riskyShare: 0.3 };

/**
 * Stage 5: the traffic served so far is the reference; then the world shifts (larger amounts,
 * more risky merchants, so more fraud) and more traffic flows. Every served row is logged to
 * an offline feature view, and the drift job (a pipeline with a `drift.run` step) compares the
 * two windows: it flags the shifted features and the label rate, and leaves the channel mix,
 * which did not move, alone.
 */
export async function shiftAndDetect(context: DemoContext, traffic: Traffic): Promise<DriftResult> {
  const { arbor, names, report } = context;
  const before = await traffic.stop();
  const reference = [...traffic.served];
  const referenceStart = reference.reduce((min, r) => (r.event_timestamp < min ? r.event_timestamp : min), new Date().toISOString());
  report.line(`reference traffic (stages 3-4): ${describeTraffic(before)}`);
  const shiftedAt = new Date(Date.now() + 1).toISOString();
  const shifted = startTraffic(context, { concurrency: 4, rowsPerRequest: 10, requests: 120, shift, seed: context.options.seed + 2 });
  const sent = await timed(() => shifted.done);
  report.line(`shifted traffic (amounts x${shift.amountScale}, ${shift.riskyShare * 100}% at risky merchants): ${describeTraffic(sent.value)} in ${seconds(sent.ms)}`);
  const current = [...shifted.served];
  const currentEnd = new Date(Date.now() + 1_000).toISOString();

  const logged = await timed(async () => {
    for (const rows of chunks([...reference, ...current], 10_000)) {
      expectAnswer(await arbor.call('push-features', { body: { view: names.traffic, to: 'offline', rows } }), [200], `POST /api/features/push (${names.traffic})`, z.unknown());
    }
  });
  report.line(`served rows logged to the offline view ${names.traffic}: ${count(reference.length)} reference + ${count(current.length)} current (${seconds(logged.ms)})`);

  const job = {
    name: names.drift,
    steps: [{ id: 'drift', uses: 'drift.run', with: { view: names.traffic, reference: { start: referenceStart, end: shiftedAt }, current: { start: shiftedAt, end: currentEnd }, label: 'is_fraud' } }],
  };
  const run = await timed(() => runPipeline(arbor, job, 300_000));
  const outputs = z.object({ drifted: z.boolean(), driftedFeatures: z.array(z.string()) }).safeParse(run.value.steps.drift?.outputs);
  if (run.value.state !== 'succeeded' || !outputs.success) throw new DemoError(`drift job run ${run.value.runId} ended ${run.value.state}: ${run.value.steps.drift?.error ?? ''}`);
  const stored = expectAnswer(await arbor.call('get-drift-reports', { params: { view: names.traffic } }), [200], `GET /api/drift/${names.traffic}`, report_);
  for (const [name, f] of Object.entries(stored.latest.features)) {
    report.line(`  ${name.padEnd(9)} ${f.drifted ? 'DRIFTED' : 'steady '} ${f.test} ${f.score.toFixed(3)} (threshold ${f.threshold})`);
  }
  report.line(`drift job ${names.drift} run ${run.value.runId}: ${run.value.state} in ${seconds(run.ms)}; flagged ${outputs.data.driftedFeatures.join(', ') || 'nothing'}`);
  return {
    referenceRows: reference.length,
    currentRows: current.length,
    drifted: outputs.data.drifted,
    driftedFeatures: outputs.data.driftedFeatures,
    features: stored.latest.features,
  };
}

function* chunks(rows: ServedRow[], size: number): Generator<ServedRow[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
