/**
 * The Function App: package.json "main" points at this file's build, so the Azure worker and
 * Arbor's local host load exactly the same registrations. One import per function.
 */
import { app } from '@azure/functions';
import { workerStreamsHttp } from '../shared/platform/http-streaming.js';
import { settingsProblems } from '../shared/platform/settings.js';

// Before any registration is served: the worker reads it once, when it starts.
app.setup({ enableHttpStream: workerStreamsHttp() });

import './platform/lifecycle.js';
import './platform/invocation-metrics.js';
import './platform/request-edge.js';
import './platform/health.js';
import './platform/openapi.js';
import './platform/console.js';
import './platform/metrics.js';
import './platform/heartbeat.js';
import './platform/purge-expired.js';
import './datasets/put-dataset.js';
import './datasets/get-datasets.js';
import './datasets/list-landed-files.js';
import './datasets/catalog-landed-file.js';
import './pipelines/step-types.js';
import './pipelines/register-pipeline.js';
import './pipelines/get-pipelines.js';
import './pipelines/start-run.js';
import './pipelines/list-runs.js';
import './pipelines/get-run.js';
import './pipelines/cancel-run.js';
import './pipelines/retry-run.js';
import './pipelines/start-scheduled-runs.js';
import './pipelines/pipeline-run.js';
import './pipelines/pipeline-load.js';
import './pipelines/pipeline-step.js';
import './pipelines/pipeline-record.js';
import './pipelines/pipeline-reconcile.js';
import './features/apply-feature-registry.js';
import './features/get-feature-registry.js';
import './features/get-online-features.js';
import './features/push-features.js';
import './features/get-historical-features.js';
import './features/materialize-features.js';
import './features/materialize-online-views.js';
import './features/archive-offline-partitions.js';
import './features/ingest-feature-file.js';
import './features/get-ingest-status.js';
import './jobs/get-job.js';
import './jobs/list-jobs.js';
import './jobs/cancel-job.js';
import './jobs/feature-job.js';
import './jobs/feature-job-plan.js';
import './jobs/feature-job-step.js';
import './jobs/feature-job-finish.js';
import './drift/run-drift.js';
import './drift/get-drift-reports.js';
import './drift/put-drift-profile.js';
import './rag/post-rag-document.js';
import './rag/delete-rag-document.js';
import './rag/rag-ask.js';
import './rag/ingest-rag-document.js';
import './vectors/put-collection.js';
import './vectors/get-collections.js';
import './vectors/delete-collection.js';
import './vectors/upsert-items.js';
import './vectors/delete-item.js';
import './vectors/query-collection.js';
import './vectors/search-shard.js';
import './vectors/snapshot-collection.js';
import './vectors/snapshot-vector-shards.js';
import './serving/put-model.js';
import './serving/get-model.js';
import './serving/post-model-version.js';
import './serving/get-model-versions.js';
import './serving/patch-model-version.js';
import './serving/put-endpoint.js';
import './serving/get-endpoints.js';
import './serving/predict-endpoint.js';
import './serving/get-endpoint-metrics.js';
import './serving/post-rollout.js';
import './serving/get-rollout.js';
import './serving/list-rollouts.js';
import './serving/control-rollout.js';
import './serving/serving-rollout.js';
import './serving/serving-rollout-begin.js';
import './serving/serving-rollout-check.js';
import './serving/serving-rollout-command.js';
import './rpc/rpc.js';

// Every function registers whatever the settings: one that needs a missing or malformed
// setting answers 503 naming it (Azure indexes nothing from an app that throws at load).
// The problems are logged here, once, so they show before the first request.
for (const problem of settingsProblems()) console.error(`Arbor setting problem: ${problem}`);
