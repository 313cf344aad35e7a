// The Function App on Flex Consumption, running as the user-assigned identity, with every
// setting the code reads (shared/platform/settings.ts) as an app setting.
// test/infra/infra.test.ts checks `appSettings` below against the settings schema: when the
// code gains a setting, add one line to `appSettings` (and, if it is tunable, a parameter).

param name string
param planName string
param location string
param tags object

@description('Resource id, client id and principal id of the user-assigned identity.')
param identityId string
param identityClientId string

@allowed(['22'])
param nodeVersion string

@description('Flex instance memory: vector shards are held in memory, so 4096 by default.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@description('Always-ready instances for the http and durable trigger groups (billed while idle).')
@minValue(0)
param alwaysReadyHttp int
@minValue(0)
param alwaysReadyDurable int

param storageAccountName string
param blobEndpoint string
param queueEndpoint string
param tableEndpoint string
@description('The storage account\'s Event Grid system topic, whose subscriptions /api/health checks.')
param blobEventsTopicId string
param deploymentContainerName string

param appInsightsConnectionString string
param cosmosEndpoint string
param cosmosDatabase string
param redisUrl string
@description('REDIS_CLUSTER: the database uses the OSS clustering policy (redis.bicep output clusterClient).')
param redisCluster bool = false
param durableTaskEndpoint string

param heartbeatSchedule string
param pipelineSchedulerSchedule string
param featureProject string
param offlineArchiveAfterDays int
param offlineArchiveSchedule string
param materializeSchedule string
@description('RAG models: local (hashed n-grams, no model), sentence-encoder (Universal Sentence Encoder lite, shipped in the npm package; embedder only) or azure-openai; see docs/rag.md.')
@allowed(['local', 'sentence-encoder', 'azure-openai'])
param ragEmbedder string = 'local'
param ragAnswerer string = 'extractive'
param ragDimension int = 1024
@description('Azure OpenAI endpoint and deployments, when ragEmbedder/ragAnswerer is azure-openai; empty: unused.')
param azureOpenAiEndpoint string = ''
param azureOpenAiEmbeddingDeployment string = ''
param azureOpenAiChatDeployment string = ''
@description('Pushgateway each instance pushes its metrics to; empty: none (see docs/monitoring.md).')
param metricsPushgatewayUrl string = ''
@description('The Azure Monitor workspace ingestion URL instances remote-write their metrics to (Entra auth); empty: none.')
param metricsRemoteWriteUrl string = ''
@description('Prometheus HTTP API that canary rollouts may query (metrics.provider prometheus); empty: shared windows only.')
param prometheusUrl string = ''

@description('Subnet for outbound VNet integration; empty: none.')
param subnetId string

// A group with 0 always-ready instances is left out rather than listed with 0.
var alwaysReadyHttpGroup = alwaysReadyHttp > 0 ? [{ name: 'http', instanceCount: alwaysReadyHttp }] : []
var alwaysReadyDurableGroup = alwaysReadyDurable > 0 ? [{ name: 'durable', instanceCount: alwaysReadyDurable }] : []
var alwaysReady = concat(alwaysReadyHttpGroup, alwaysReadyDurableGroup)

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { name: 'FC1', tier: 'FlexConsumption' }
  properties: { reserved: true }
}

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  // azd finds the app to deploy `api` to by this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    virtualNetworkSubnetId: empty(subnetId) ? null : subnetId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        alwaysReady: alwaysReady
      }
      runtime: { name: 'node', version: nodeVersion }
    }
  }
}

// Flex Consumption sets FUNCTIONS_WORKER_RUNTIME and FUNCTIONS_EXTENSION_VERSION itself (from
// functionAppConfig.runtime) and refuses them as app settings.
@description('Hosts a pipeline\'s http.call may reach (ARBOR_EGRESS_ALLOW): names, *.domain, IPs or CIDRs; empty allows none.')
param egressAllow string = ''

var appSettings = {
  // --- Functions host: storage by identity (no connection string, no key) ---
  AzureWebJobsStorage__accountName: storageAccountName
  AzureWebJobsStorage__blobServiceUri: blobEndpoint
  AzureWebJobsStorage__queueServiceUri: queueEndpoint
  AzureWebJobsStorage__tableServiceUri: tableEndpoint
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  // --- identity for every Entra token the code asks for (DefaultAzureCredential) ---
  AZURE_CLIENT_ID: identityClientId
  // --- telemetry, published with the identity ---
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsightsConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
  // --- Durable Functions backend: host.json storageProvider azureManaged reads this ---
  DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${durableTaskEndpoint};Authentication=ManagedIdentity;ClientID=${identityClientId}'
  // --- blob triggers come from Event Grid on Flex (shared/platform/blob-trigger-source.ts) ---
  ARBOR_BLOB_TRIGGER_SOURCE: 'EventGrid'
  ARBOR_BLOB_TRIGGER_TOPIC_ID: blobEventsTopicId
  ARBOR_ARM_ENDPOINT: environment().resourceManager
  // --- Cosmos DB (no COSMOS_KEY: the identity is used) ---
  COSMOS_ENDPOINT: cosmosEndpoint
  COSMOS_DATABASE: cosmosDatabase
  // --- Redis (Azure Managed Redis, Entra tokens) ---
  REDIS_URL: redisUrl
  REDIS_KEY_PREFIX: 'arbor:'
  REDIS_ENTRA_AUTH: 'true'
  REDIS_CLUSTER: redisCluster ? 'true' : 'false'
  // --- platform timers ---
  ARBOR_HEARTBEAT_SCHEDULE: heartbeatSchedule
  ARBOR_PIPELINE_SCHEDULER_SCHEDULE: pipelineSchedulerSchedule
  // --- feature store ---
  ARBOR_FEATURE_PROJECT: featureProject
  ARBOR_FEATURE_MAX_FUTURE_SECONDS: '300'
  ARBOR_FEATURE_STALE_GRACE_SECONDS: '3600'
  ARBOR_FEATURE_JOB_BATCH_PARTITIONS: '8'
  ARBOR_TRAINING_SET_ROWS_PER_STEP: '250000'
  ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS: string(offlineArchiveAfterDays)
  ARBOR_OFFLINE_ARCHIVE_SCHEDULE: offlineArchiveSchedule
  ARBOR_MATERIALIZE_SCHEDULE: materializeSchedule
  // --- monitoring: empty means no push ---
  ARBOR_METRICS_PUSHGATEWAY_URL: metricsPushgatewayUrl
  ARBOR_METRICS_REMOTE_WRITE_URL: metricsRemoteWriteUrl
  // auto: an Entra token for the *.monitor.azure.com ingestion host
  ARBOR_METRICS_REMOTE_WRITE_AUTH: 'auto'
  ARBOR_METRICS_PUSH_INTERVAL_SECONDS: '15'
  ARBOR_PROMETHEUS_URL: prometheusUrl
  // --- vector search: native engine where it loads; fan-out through the shard-search function ---
  ARBOR_VECTOR_ENGINE: 'auto'
  ARBOR_VECTOR_SNAPSHOT_SCHEDULE: '0 */5 * * * *'
  ARBOR_VECTOR_REBUILD_TOMBSTONE_RATIO: '0.2'
  ARBOR_VECTOR_SHARD_TIMEOUT_MS: '5000'
  ARBOR_VECTOR_FANOUT: 'http'
  // The fan-out calls shard-search here, with the caller's key: never at a request's Host header.
  ARBOR_SELF_URL: 'https://${site.properties.defaultHostName}'
  // --- RAG: the identity calls Azure OpenAI (Cognitive Services OpenAI User), no key ---
  ARBOR_RAG_EMBEDDER: ragEmbedder
  ARBOR_RAG_ANSWERER: ragAnswerer
  ARBOR_RAG_DIMENSION: string(ragDimension)
  ARBOR_RAG_COLLECTION: 'documents'
  ARBOR_RAG_MAX_DOCUMENT_BYTES: '2000000'
  AZURE_OPENAI_ENDPOINT: azureOpenAiEndpoint
  AZURE_OPENAI_API_VERSION: '2024-10-21'
  AZURE_OPENAI_EMBEDDING_DEPLOYMENT: azureOpenAiEmbeddingDeployment
  AZURE_OPENAI_CHAT_DEPLOYMENT: azureOpenAiChatDeployment
  // --- pipeline boundaries (docs/security.md): no outbound calls until a host is listed ---
  ARBOR_EGRESS_ALLOW: egressAllow
  ARBOR_DATA_CONTAINERS: 'landing,raw,curated,ingest,documents,pipelines,training-sets,exports'
  ARBOR_HTTP_CALL_TIMEOUT_SECONDS: '30'
  ARBOR_STEP_DEFAULT_TIMEOUT_SECONDS: '3600'
  // The schema's defaults; lower them with the instance memory size.
  ARBOR_DUCKDB_MEMORY_LIMIT: '2GB'
  ARBOR_DUCKDB_MAX_TEMP_SIZE: '8GB'
  ARBOR_DUCKDB_SCRATCH_DIR: '/tmp/arbor-duckdb'
  // --- growth: a collection cap, and what the hourly purge keeps (docs/security.md "Limits") ---
  ARBOR_VECTOR_MAX_COLLECTIONS: '100'
  ARBOR_RETENTION_SCHEDULE: '0 15 * * * *'
  ARBOR_RETENTION_RUNS_DAYS: '30'
  ARBOR_RETENTION_DURABLE_DAYS: '7'
  ARBOR_RETENTION_DRIFT_REPORTS_DAYS: '90'
  // --- serving: fault injection stays off in Azure (tests and demos turn it on locally) ---
  ARBOR_SERVING_ALLOW_FAULTS: 'false'
  // --- add new settings above this line, one per line ---
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: appSettings
}

output name string = site.name
output id string = site.id
output defaultHostName string = site.properties.defaultHostName
// The gRPC Container App (grpc-container-app.bicep) runs the same code with the same settings.
output appSettings object = appSettings
