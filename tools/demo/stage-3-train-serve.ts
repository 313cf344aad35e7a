import { z } from 'zod';
import { DemoError, expectAnswer, jobResult, runPipeline, sleep, stepSeconds } from './api.js';
import type { DemoContext } from './context.js';
import { etlOutputs } from './etl-spec.js';
import { count, seconds, timed } from './report.js';
import { describeTraffic, startTraffic, type Traffic } from './traffic.js';

export interface TrainedVersion {
  version: number;
  features: string[];
  auc: number;
  logLoss: number;
  trainRows: number;
  testRows: number;
  droppedRows: number;
  seconds?: number;
}

export interface TrainServeResult {
  trainingSetRows: number;
  versions: { v1: TrainedVersion; v2: TrainedVersion; v3: TrainedVersion };
  endpoint: string;
  warmupRequests: number;
}

const trainOutputs = z.object({ version: z.number(), auc: z.number(), logLoss: z.number(), trainRows: z.number(), testRows: z.number(), droppedRows: z.number().optional() });
const trainingSet = z.object({ rowCount: z.number(), blob: z.object({ container: z.string(), name: z.string() }) });

/**
 * Stage 3: a point-in-time training set (each labelled transaction joined with the features
 * known a second before it), three versions trained by `model.train` steps of one pipeline
 * (v1 on weak features; v2 adding the card's usual amount and the merchant's fraud rate; v3
 * the same as v2 with a heavier penalty, the version stage 4 slows down), v1 served from an
 * endpoint, and simulated traffic started (it runs on through stage 4).
 */
export async function trainAndServe(context: DemoContext): Promise<{ result: TrainServeResult; traffic: Traffic }> {
  const { arbor, names, report } = context;
  const card = (f: string) => `${names.cardSpend}:${f}`;
  const merchant = (f: string) => `${names.merchantRisk}:${f}`;
  const allFeatures = [card('spend_24h'), card('txns_24h'), card('spend_7d'), card('avg_amount_7d'), merchant('txns_7d'), merchant('fraud_rate_7d')];

  const labels = etlOutputs(names).labels;
  const built = await timed(async () => {
    const answer = await arbor.call('get-historical-features', { body: { entityRowsBlob: { container: labels.container, name: labels.blob }, features: allFeatures, output: 'blob' } });
    if (answer.status === 202) {
      const job = expectAnswer(answer, [202], 'POST /api/features/historical', z.object({ jobId: z.string() }));
      return trainingSet.parse(await jobResult(arbor, job.jobId, 600_000));
    }
    return expectAnswer(answer, [200], 'POST /api/features/historical', trainingSet);
  });
  report.line(`point-in-time training set: ${count(built.value.rowCount)} labelled transactions x ${allFeatures.length} features -> ${built.value.blob.container}/${built.value.blob.name} (${seconds(built.ms)})`);

  // What predict serves for a card or merchant it has no fresh row for.
  const fallback: Record<string, number> = { [card('spend_24h')]: 0, [card('txns_24h')]: 0, [card('spend_7d')]: 0, [card('avg_amount_7d')]: 30, [merchant('txns_7d')]: 0, [merchant('fraud_rate_7d')]: 0.015 };
  const variants = {
    v1: { features: ['amount', card('spend_24h'), merchant('txns_7d')], l2: 1 },
    v2: { features: ['amount', ...allFeatures], l2: 1 },
    v3: { features: ['amount', ...allFeatures], l2: 10 },
  };
  const steps = Object.entries(variants).map(([id, variant], i, all) => ({
    id: `train_${id}`,
    uses: 'model.train',
    ...(i > 0 ? { dependsOn: [`train_${all[i - 1]?.[0]}`] } : {}),
    with: {
      trainingSet: { container: built.value.blob.container, blob: built.value.blob.name },
      label: 'is_fraud',
      features: variant.features,
      model: names.model,
      l2: variant.l2,
      testFraction: 0.25,
      seed: context.options.seed,
      defaults: Object.fromEntries(variant.features.filter((f) => f in fallback).map((f) => [f, fallback[f]])),
      description: `${id}: ${variant.features.length} columns, l2 ${variant.l2}`,
    },
  }));
  const run = await timed(() => runPipeline(arbor, { name: names.training, steps }, 600_000));
  if (run.value.state !== 'succeeded') {
    const failed = Object.entries(run.value.steps).find(([, s]) => s.state === 'failed');
    throw new DemoError(`training run ${run.value.runId} ended ${run.value.state}${failed ? `: ${failed[0]}: ${failed[1].error ?? ''}` : ''}`);
  }
  const versionOf = (id: keyof typeof variants): TrainedVersion => {
    const step = run.value.steps[`train_${id}`];
    const outputs = trainOutputs.parse(step?.outputs);
    const took = step ? stepSeconds(step) : undefined;
    return { version: outputs.version, features: variants[id].features, auc: outputs.auc, logLoss: outputs.logLoss, trainRows: outputs.trainRows, testRows: outputs.testRows, droppedRows: outputs.droppedRows ?? 0, ...(took === undefined ? {} : { seconds: took }) };
  };
  const versions = { v1: versionOf('v1'), v2: versionOf('v2'), v3: versionOf('v3') };
  for (const [id, v] of Object.entries(versions)) {
    report.line(`  ${id}: model ${names.model} version ${v.version}, ${v.features.length} columns, held-out AUC ${v.auc.toFixed(3)}, log loss ${v.logLoss.toFixed(4)} (${count(v.trainRows)} train / ${count(v.testRows)} test rows, ${count(v.droppedRows)} without features dropped${v.seconds === undefined ? '' : `, ${v.seconds.toFixed(1)} s`})`);
  }
  report.line(`training pipeline ${names.training} run ${run.value.runId}: ${run.value.state} in ${seconds(run.ms)}; each version registered by its step`);

  expectAnswer(
    await arbor.call('put-endpoint', { params: { name: names.endpoint }, body: { variants: [{ name: 'stable', model: names.model, version: versions.v1.version, weight: 100 }] } }),
    [200, 201],
    `PUT /api/endpoints/${names.endpoint}`,
    z.unknown(),
  );
  report.line(`endpoint ${names.endpoint}: stable = v${versions.v1.version} at 100%`);

  const traffic = startTraffic(context, { concurrency: 4, rowsPerRequest: 4, pauseMs: 50, seed: context.options.seed + 1 });
  const warmup = 50;
  const warmed = await timed(async () => {
    while (traffic.stats.requests < warmup) {
      if (traffic.stats.errors > warmup) throw new DemoError(`the endpoint refused ${traffic.stats.errors} requests`);
      await sleep(100);
    }
  });
  report.line(`simulated traffic flowing (4 clients, 4 transactions a request, 50 ms apart): ${describeTraffic(traffic.stats)} in ${seconds(warmed.ms)}`);
  return { result: { trainingSetRows: built.value.rowCount, versions, endpoint: names.endpoint, warmupRequests: traffic.stats.requests }, traffic };
}
