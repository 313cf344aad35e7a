// The gRPC server (gRPC, gRPC-Web and Connect; docs/grpc.md) as an Azure Container App: Flex
// Consumption gives the Function App's worker no HTTP/2, so the streaming RPCs are served here.
// The image is built from the repository's Dockerfile in the registry below (azure.yaml:
// service `grpc`, docker.remoteBuild) and pulled with the app's identity, never an admin user.
// The container runs as the Function App's user-assigned identity, so it holds exactly the
// Function App's data-plane roles (storage, Cosmos DB, Redis, Durable Task Scheduler,
// Application Insights), and gets the Function App's settings as its environment.

param location string
param tags object
param environmentName string
param appName string
@description('Globally unique, 5-50 letters and digits.')
param registryName string

@description('The Function App\'s user-assigned identity: resource id and principal id (its client id is AZURE_CLIENT_ID in appSettings).')
param identityId string
param identityPrincipalId string

@description('Resource id of the Log Analytics workspace the environment sends its logs to (with the identity, no shared key: the workspace has local auth off).')
param logAnalyticsWorkspaceId string

@description('The Function App\'s app settings (function-app.bicep output appSettings): the container reads the same.')
param appSettings object

@description('The port the server listens on inside the container (ARBOR_GRPC_PORT); the ingress forwards HTTP/2 to it.')
@minValue(1)
@maxValue(65535)
param grpcPort int = 50051

@minValue(0)
@maxValue(30)
param minReplicas int = 1
@minValue(1)
@maxValue(300)
param maxReplicas int = 10

@description('vCPU and memory of a replica (Consumption: 0.5 vCPU per 1Gi). Vector shards are held in memory, so 2 / 4Gi.')
param cpu string = '2.0'
param memory string = '4Gi'

@description('Concurrent requests (streams included) per replica before the ingress adds one.')
param concurrentRequestsPerReplica int = 100

@description('Entra tenant whose tokens the server accepts (ARBOR_GRPC_ENTRA_TENANT_ID).')
param entraTenantId string
@description('Audiences a token must be for: the Application ID URI and/or client id of the API\'s app registration (ARBOR_GRPC_ENTRA_AUDIENCE, comma separated).')
param entraAudience string
@description('Browser origins allowed to call with gRPC-Web or Connect (ARBOR_GRPC_CORS_ORIGINS, comma separated); empty: none.')
param corsOrigins string = ''

@description('true once azd has deployed an image (SERVICE_GRPC_RESOURCE_EXISTS): provisioning again keeps that image instead of the placeholder.')
param exists bool = false

// azd replaces the image at deploy; until then a public sample holds the revision.
var placeholderImage = 'mcr.microsoft.com/azuredocs/containerapps-helloworld:latest'
var acrPull = '7f951dda-4ed3-4680-a7ca-43fe172d538d'

resource registry 'Microsoft.ContainerRegistry/registries@2023-07-01' = {
  name: registryName
  location: location
  tags: tags
  sku: { name: 'Basic' }
  properties: {
    adminUserEnabled: false
    anonymousPullEnabled: false
  }
}

resource identityPullsImages 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(registry.id, identityPrincipalId, acrPull)
  scope: registry
  properties: {
    principalId: identityPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', acrPull)
  }
}

resource environment 'Microsoft.App/managedEnvironments@2024-03-01' = {
  name: environmentName
  location: location
  tags: tags
  properties: {
    // Logs go through Azure Monitor (the diagnostic setting below): the workspace takes no shared key.
    appLogsConfiguration: { destination: 'azure-monitor' }
  }
}

resource environmentLogs 'Microsoft.Insights/diagnosticSettings@2016-09-01' = {
  name: 'to-log-analytics'
  scope: environment
  properties: {
    workspaceId: logAnalyticsWorkspaceId
    logs: [
      { category: 'ContainerAppConsoleLogs', enabled: true }
      { category: 'ContainerAppSystemLogs', enabled: true }
    ]
  }
}

resource existingApp 'Microsoft.App/containerApps@2024-03-01' existing = if (exists) {
  name: appName
}

// What the server adds to the Function App's settings. A vector query fans out in process: the
// caller of the gRPC server holds an Entra token, not the function key the HTTP fan-out forwards.
var grpcSettings = {
  ARBOR_GRPC_HOST: '0.0.0.0'
  ARBOR_GRPC_PORT: string(grpcPort)
  ARBOR_GRPC_ENTRA_TENANT_ID: entraTenantId
  ARBOR_GRPC_ENTRA_AUDIENCE: entraAudience
  ARBOR_GRPC_CORS_ORIGINS: corsOrigins
  ARBOR_VECTOR_FANOUT: 'inprocess'
}
var containerEnv = [for setting in items(union(appSettings, grpcSettings)): {
  name: setting.key
  value: string(setting.value)
}]

resource app 'Microsoft.App/containerApps@2024-03-01' = {
  name: appName
  location: location
  // azd finds the app to deploy `grpc` to by this tag.
  tags: union(tags, { 'azd-service-name': 'grpc' })
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  // The pull right must exist before the first revision pulls.
  dependsOn: [identityPullsImages]
  properties: {
    managedEnvironmentId: environment.id
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: grpcPort
        // gRPC needs HTTP/2 end to end; the ingress terminates TLS and speaks h2c to the server.
        transport: 'http2'
        allowInsecure: false
      }
      registries: [
        {
          server: registry.properties.loginServer
          identity: identityId
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'grpc'
          image: exists ? existingApp!.properties.template.containers[0].image : placeholderImage
          resources: {
            cpu: json(cpu)
            memory: memory
          }
          env: containerEnv
          probes: [
            { type: 'Liveness', tcpSocket: { port: grpcPort }, periodSeconds: 10 }
            { type: 'Readiness', tcpSocket: { port: grpcPort }, periodSeconds: 5 }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'concurrent-requests'
            http: { metadata: { concurrentRequests: string(concurrentRequestsPerReplica) } }
          }
        ]
      }
    }
  }
}

output name string = app.name
output url string = 'https://${app.properties.configuration.ingress.fqdn}'
output registryEndpoint string = registry.properties.loginServer
output registryName string = registry.name
