// Arbor on Azure: `azd up` deploys this at subscription scope. One resource group holds the
// Function App (Flex Consumption), storage, Durable Task Scheduler, Azure Managed Redis,
// Cosmos DB (serverless), monitoring (Application Insights, Azure Monitor workspace, Managed
// Grafana) and, with vnetEnabled, a virtual network with private endpoints. Everything is
// identity-based: no keys and no connection strings with secrets in app settings.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; names the resource group and seeds resourceToken.')
param environmentName string

// Regions that offer Flex Consumption, the Durable Task Scheduler and Azure Managed Redis
// together, so provisioning cannot fail halfway on a service missing from the region. Where the
// list comes from, and how to check it again, is in docs/deploy.md ("Regions"): it needs review
// as the services reach more regions.
@minLength(1)
@description('Region for every resource.')
@allowed([
  'australiaeast'
  'centralus'
  'eastasia'
  'eastus2'
  'northcentralus'
  'northeurope'
  'southeastasia'
  'swedencentral'
  'uksouth'
  'westus2'
])
@metadata({ azd: { type: 'location' } })
param location string

@description('Object id of the deploying user (azd sets AZURE_PRINCIPAL_ID): data access for debugging, Grafana Admin. Empty: none.')
param principalId string = ''

@allowed(['User', 'ServicePrincipal', 'Group'])
param principalType string = 'User'

@description('Private endpoints for storage, Cosmos DB and Redis, and VNet integration of the app.')
param vnetEnabled bool = false

@description('Node.js of the Function App: 22 (Node 20 reached end of life in April 2026; local development still runs on 20, see docs/deploy.md).')
@allowed(['22'])
param nodeVersion string = '22'

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 4096

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@minValue(0)
param alwaysReadyHttp int = 1

@minValue(0)
param alwaysReadyDurable int = 1

@description('Azure Managed Redis SKU (Balanced_B0 is the smallest; see docs/deploy.md for sizing).')
param redisSku string = 'Balanced_B0'

@description('Azure Managed Redis clustering policy: EnterpriseCluster (one endpoint, the proxy routes; any client) or OSSCluster (clients connect to each shard; the app sets REDIS_CLUSTER=true). Fixed when the database is created: see docs/deploy.md.')
@allowed(['EnterpriseCluster', 'OSSCluster'])
param redisClusteringPolicy string = 'EnterpriseCluster'

@description('Durable Task Scheduler SKU: Consumption keeps orchestration data up to 30 days, Dedicated up to 90.')
@allowed(['Consumption', 'Dedicated'])
param durableTaskSku string = 'Consumption'

@description('Capacity units when durableTaskSku is Dedicated (3 for high availability).')
@allowed([1, 3])
param durableTaskCapacity int = 1

param deployGrafana bool = true

@allowed(['Essential', 'Standard'])
param grafanaSku string = 'Standard'

@description('Offline feature data: archive tier after this many days without change (lifecycle policy and ARBOR_OFFLINE_ARCHIVE_AFTER_DAYS).')
@minValue(1)
param offlineArchiveAfterDays int = 180

@minValue(1)
param pipelineStagingRetentionDays int = 30

@minValue(1)
param quarantineRetentionDays int = 90

param heartbeatSchedule string = '*/30 * * * * *'
param pipelineSchedulerSchedule string = '*/10 * * * * *'
param offlineArchiveSchedule string = '0 30 2 * * *'
param materializeSchedule string = '0 */5 * * * *'
param featureProject string = 'default'
@description('A Prometheus Pushgateway the instances push metrics to (docs/monitoring.md); empty: none.')
param metricsPushgatewayUrl string = ''
@description('Prometheus HTTP API canary rollouts may query (docs/serving.md); empty: shared windows only.')
param prometheusUrl string = ''

@description('Audiences the gRPC server accepts Entra tokens for (comma separated): the Application ID URI and/or client id of an app registration you create (docs/deploy.md "gRPC server"). Empty: api://arbor-grpc-<resourceToken>.')
param grpcEntraAudience string = ''

@description('Browser origins that may call the gRPC server with gRPC-Web or Connect (CORS), comma separated (scheme://host[:port], or *). Empty: none.')
param grpcCorsOrigins string = ''

@description('Set by azd (SERVICE_GRPC_RESOURCE_EXISTS) once the gRPC image is deployed: provisioning again keeps it.')
param grpcExists bool = false

@minValue(0)
param grpcMinReplicas int = 1

@minValue(1)
param grpcMaxReplicas int = 10

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var appName = 'func-arbor-${resourceToken}'
var deploymentContainerName = 'app-package-${take(resourceToken, 7)}'
var cosmosDatabaseName = 'arbor'
// Must equal host.json extensions.durableTask.hubName (test/infra/infra.test.ts checks it).
var taskHubName = 'ArborHub'

// Every blob container the code uses (test/infra/infra.test.ts checks this list against the code).
var codeContainers = [
  'landing'
  'pipelines'
  'ingest'
  'ingest-quarantine'
  'offline'
  'training-sets'
  'documents'
  'rag-uploads'
  'vectors'
  'models'
  'azure-webjobs-hosts'
]

// Every Cosmos DB container the code defines (ContainerDefinition in shared/), same partition keys.
var cosmosContainers = [
  { id: 'datasets', partitionKey: '/id' }
  { id: 'landed-files', partitionKey: '/dataset' }
  { id: 'pipelines', partitionKey: '/name' }
  { id: 'runs', partitionKey: '/runId' }
  { id: 'feature-registry', partitionKey: '/kind' }
  { id: 'feature-jobs', partitionKey: '/view' }
  { id: 'jobs', partitionKey: '/id' }
  { id: 'drift', partitionKey: '/view' }
  { id: 'vector-collections', partitionKey: '/name' }
  { id: 'rag-documents', partitionKey: '/collection' }
  { id: 'model-registry', partitionKey: '/model' }
  { id: 'serving-endpoints', partitionKey: '/name' }
  { id: 'serving-rollouts', partitionKey: '/endpoint' }
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-arbor-${resourceToken}'
    location: location
    tags: tags
  }
}

var appPrincipal = [{ id: identity.outputs.principalId, type: 'ServicePrincipal' }]
var userPrincipal = empty(principalId) ? [] : [{ id: principalId, type: principalType }]

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'starbor${resourceToken}'
    location: location
    tags: tags
    containerNames: concat(codeContainers, [deploymentContainerName])
    offlineArchiveAfterDays: offlineArchiveAfterDays
    pipelineStagingRetentionDays: pipelineStagingRetentionDays
    quarantineRetentionDays: quarantineRetentionDays
    vnetEnabled: vnetEnabled
    dataPrincipals: concat(appPrincipal, userPrincipal)
  }
}

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  scope: rg
  params: {
    name: 'cosmos-arbor-${resourceToken}'
    location: location
    tags: tags
    databaseName: cosmosDatabaseName
    containers: cosmosContainers
    dataPrincipalIds: concat([identity.outputs.principalId], empty(principalId) ? [] : [principalId])
    vnetEnabled: vnetEnabled
  }
}

module redis 'modules/redis.bicep' = {
  name: 'redis'
  scope: rg
  params: {
    name: 'redis-arbor-${resourceToken}'
    location: location
    tags: tags
    skuName: redisSku
    clusteringPolicy: redisClusteringPolicy
    vnetEnabled: vnetEnabled
    dataPrincipalIds: concat([identity.outputs.principalId], empty(principalId) ? [] : [principalId])
  }
}

module durableTask 'modules/durable-task.bicep' = {
  name: 'durable-task'
  scope: rg
  params: {
    name: 'dts-arbor-${resourceToken}'
    location: location
    tags: tags
    taskHubName: taskHubName
    skuName: durableTaskSku
    dedicatedCapacity: durableTaskCapacity
    dataPrincipals: concat(appPrincipal, userPrincipal)
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: 'log-arbor-${resourceToken}'
    appInsightsName: 'appi-arbor-${resourceToken}'
    monitorWorkspaceName: 'amw-arbor-${resourceToken}'
    grafanaName: 'graf-arbor-${take(resourceToken, 10)}'
    deployGrafana: deployGrafana
    grafanaSku: grafanaSku
    appPrincipalId: identity.outputs.principalId
    adminPrincipalId: principalId
    adminPrincipalType: principalType
  }
}

module network 'modules/network.bicep' = if (vnetEnabled) {
  name: 'network'
  scope: rg
  params: {
    name: 'vnet-arbor-${resourceToken}'
    location: location
    tags: tags
    storageAccountId: storage.outputs.id
    cosmosAccountId: cosmos.outputs.id
    redisClusterId: redis.outputs.id
  }
}

module app 'modules/function-app.bicep' = {
  name: 'function-app'
  scope: rg
  params: {
    name: appName
    planName: 'plan-arbor-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    nodeVersion: nodeVersion
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyHttp: alwaysReadyHttp
    alwaysReadyDurable: alwaysReadyDurable
    storageAccountName: storage.outputs.name
    blobEndpoint: storage.outputs.blobEndpoint
    queueEndpoint: storage.outputs.queueEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    blobEventsTopicId: storage.outputs.systemTopicId
    deploymentContainerName: deploymentContainerName
    appInsightsConnectionString: monitoring.outputs.appInsightsConnectionString
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabase: cosmosDatabaseName
    redisUrl: redis.outputs.url
    redisCluster: redis.outputs.clusterClient
    durableTaskEndpoint: durableTask.outputs.endpoint
    heartbeatSchedule: heartbeatSchedule
    pipelineSchedulerSchedule: pipelineSchedulerSchedule
    featureProject: featureProject
    offlineArchiveAfterDays: offlineArchiveAfterDays
    offlineArchiveSchedule: offlineArchiveSchedule
    materializeSchedule: materializeSchedule
    metricsPushgatewayUrl: metricsPushgatewayUrl
    metricsRemoteWriteUrl: monitoring.outputs.metricsRemoteWriteUrl
    prometheusUrl: prometheusUrl
    subnetId: vnetEnabled ? network!.outputs.appSubnetId : ''
  }
}

var grpcAudience = empty(grpcEntraAudience) ? 'api://arbor-grpc-${resourceToken}' : grpcEntraAudience

// The streaming RPCs need HTTP/2, which Flex Consumption does not give the worker: the gRPC
// server runs as a Container App with the Function App's identity and settings.
module grpc 'modules/grpc-container-app.bicep' = {
  name: 'grpc-container-app'
  scope: rg
  params: {
    location: location
    tags: tags
    environmentName: 'cae-arbor-${resourceToken}'
    appName: 'ca-grpc-${take(resourceToken, 20)}'
    registryName: 'crarbor${resourceToken}'
    identityId: identity.outputs.id
    identityPrincipalId: identity.outputs.principalId
    logAnalyticsWorkspaceId: monitoring.outputs.logAnalyticsId
    appSettings: app.outputs.appSettings
    grpcPort: 50051
    minReplicas: grpcMinReplicas
    maxReplicas: grpcMaxReplicas
    entraTenantId: tenant().tenantId
    entraAudience: grpcAudience
    corsOrigins: grpcCorsOrigins
    exists: grpcExists
  }
}

// azd stores these in .azure/<env>/.env; the hooks read them.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = app.outputs.name
output SERVICE_API_BASE_URL string = 'https://${app.outputs.defaultHostName}'
// azd pushes the `grpc` image to this registry (docker.remoteBuild builds it there).
output AZURE_CONTAINER_REGISTRY_ENDPOINT string = grpc.outputs.registryEndpoint
output SERVICE_GRPC_URL string = grpc.outputs.url
output SERVICE_GRPC_NAME string = grpc.outputs.name
// The audience a caller asks Entra for a token for (docs/deploy.md "gRPC server").
output SERVICE_GRPC_AUDIENCE string = grpcAudience
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_SYSTEM_TOPIC_NAME string = storage.outputs.systemTopicName
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output REDIS_URL string = redis.outputs.url
output DURABLE_TASK_SCHEDULER_ENDPOINT string = durableTask.outputs.endpoint
output DURABLE_TASK_DASHBOARD_URL string = durableTask.outputs.dashboardUrl
output AZURE_GRAFANA_NAME string = monitoring.outputs.grafanaName
output AZURE_GRAFANA_ENDPOINT string = monitoring.outputs.grafanaEndpoint
output PROMETHEUS_QUERY_ENDPOINT string = monitoring.outputs.prometheusQueryEndpoint
