import { arborClient } from '../../client/arbor-client.js';
import type { DemoContext } from './context.js';
import { makeWorld } from './data.js';
import { demoNames, type DemoNames } from './names.js';
import type { DemoOptions } from './options.js';
import { reporter, type Reporter } from './report.js';
import { landAndTransform, type EtlResult } from './stage-1-etl.js';
import { ingestAndMaterialize, type FeaturesResult } from './stage-2-features.js';
import { trainAndServe, type TrainServeResult } from './stage-3-train-serve.js';
import { rollOut, type RolloutsResult } from './stage-4-rollouts.js';
import { shiftAndDetect, type DriftResult } from './stage-5-drift.js';
import { askRunbooks, type RagResult } from './stage-6-rag.js';
import type { Traffic } from './traffic.js';

export interface DemoResult {
  names: DemoNames;
  etl: EtlResult;
  features: FeaturesResult;
  training: TrainServeResult;
  rollouts: RolloutsResult;
  drift: DriftResult;
  rag: RagResult;
  timings: Reporter['timings'];
  /** What should have happened and did not; empty when the loop did what it shows. */
  unmet: string[];
}

/**
 * The whole loop against the platform at `options.url`, whose blob storage is `storage`.
 * Throws (DemoError, or the API's failure) when a stage cannot do its work; a stage that ran
 * but did not show what it should (v2 not promoted, nothing drifted) is listed in `unmet`.
 */
export async function runDemo(options: DemoOptions, storage: string, report: Reporter = reporter()): Promise<DemoResult> {
  const context: DemoContext = {
    arbor: arborClient({ baseUrl: options.url, ...(options.functionKey ? { functionKey: options.functionKey } : {}) }),
    names: demoNames(),
    options,
    world: makeWorld(options.rows, options.seed),
    storage,
    report,
  };
  let traffic: Traffic | undefined;
  try {
    const etl = await report.stage(1, 'Raw card transactions land; the ETL pipeline extracts, transforms in DuckDB, loads parquet', () => landAndTransform(context));
    const features = await report.stage(2, 'Feature views: ingested offline and online, materialized, read online', () => ingestAndMaterialize(context));
    const served = await report.stage(3, 'Point-in-time training set; model.train trains v1-v3; v1 served; traffic flows', () => trainAndServe(context));
    traffic = served.traffic;
    const rollouts = await report.stage(4, 'Canary rollouts: v2 promoted by itself, slow v3 rolled back by itself', () => rollOut(context, served.result, served.traffic));
    const drift = await report.stage(5, 'The traffic shifts; the drift job flags what moved', () => shiftAndDetect(context, served.traffic));
    const rag = await report.stage(6, 'RAG over the fraud runbooks, with citations', () => askRunbooks(context));
    return { names: context.names, etl, features, training: served.result, rollouts, drift, rag, timings: report.timings, unmet: unmet(etl, features, served.result, rollouts, drift, rag) };
  } finally {
    await traffic?.stop();
  }
}

function unmet(etl: EtlResult, features: FeaturesResult, training: TrainServeResult, rollouts: RolloutsResult, drift: DriftResult, rag: RagResult): string[] {
  const problems: string[] = [];
  if (etl.runState !== 'succeeded') problems.push(`the ETL run ended ${etl.runState}`);
  if (Object.values(features.ingested).some((v) => v.rows === 0)) problems.push('a feature view ingested no rows');
  if (features.onlinePresent === 0) problems.push('no online feature value was present');
  if (training.versions.v2.auc <= training.versions.v1.auc) problems.push(`v2's AUC ${training.versions.v2.auc} is not above v1's ${training.versions.v1.auc}`);
  if (rollouts.v2.state !== 'promoted') problems.push(`v2's rollout ended ${rollouts.v2.state}, not promoted`);
  if (rollouts.v3 && rollouts.v3.state !== 'rolled_back') problems.push(`v3's rollout ended ${rollouts.v3.state}, not rolled back`);
  for (const feature of ['amount', 'is_fraud']) if (!drift.driftedFeatures.includes(feature)) problems.push(`the drift job did not flag ${feature}`);
  if (rag.citations.length === 0) problems.push('the RAG answer has no citations');
  return problems;
}
