// Storage: the Functions host's own storage, the deployment package, and every container the
// code uses. Identity only (no shared keys), no public blob access, lifecycle tiering for the
// offline store, and the Event Grid system topic the blob triggers subscribe through.

param name string
param location string
param tags object

@description('Blob containers to create (the code\'s containers plus the deployment container).')
param containerNames string[]

@description('Offline feature data moves from cool to archive after this many days without change.')
@minValue(1)
param offlineArchiveAfterDays int

@description('Pipeline staging data under pipelines/runs/ is deleted after this many days.')
@minValue(1)
param pipelineStagingRetentionDays int

@description('Rejected ingest files are deleted after this many days.')
@minValue(1)
param quarantineRetentionDays int

param vnetEnabled bool

@description('Principal ids that get Storage Blob Data Owner, Queue and Table Data Contributor.')
param dataPrincipals array

resource account 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: name
  location: location
  tags: tags
  // LRS: the archive tier is not offered on zone-redundant accounts.
  sku: { name: 'Standard_LRS' }
  kind: 'StorageV2'
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: vnetEnabled ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: { enabled: true, days: 7 }
    containerDeleteRetentionPolicy: { enabled: true, days: 7 }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [for container in containerNames: {
  parent: blobService
  name: container
  properties: { publicAccess: 'None' }
}]

resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2024-01-01' = {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          // The offline store writes at the Cool tier; this rule is the backstop for anything
          // written Hot, and archives partitions that have not changed for N days.
          name: 'offline-cool-then-archive'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['offline/'] }
            actions: {
              baseBlob: {
                tierToCool: { daysAfterModificationGreaterThan: 0 }
                tierToArchive: { daysAfterModificationGreaterThan: offlineArchiveAfterDays }
              }
            }
          }
        }
        {
          name: 'pipeline-staging-expiry'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['pipelines/runs/'] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: pipelineStagingRetentionDays } } }
          }
        }
        {
          name: 'ingest-quarantine-expiry'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: { blobTypes: ['blockBlob'], prefixMatch: ['ingest-quarantine/'] }
            actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: quarantineRetentionDays } } }
          }
        }
      ]
    }
  }
  dependsOn: [containers]
}

// Blob triggers on Flex Consumption are delivered by Event Grid. The topic is created here; the
// subscription (a webhook to the blobs extension with its system key) can only be created once
// the code is deployed, so infra/hooks/postdeploy.sh creates it.
resource blobEvents 'Microsoft.EventGrid/systemTopics@2025-02-15' = {
  name: '${name}-events'
  location: location
  tags: tags
  properties: {
    source: account.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

var storageBlobDataOwner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
var eventGridSubscriptionReader = '2414bbcf-6497-4faf-8c65-045460748405'

// The app reads the topic's subscriptions for /api/health: a blob trigger whose subscription is
// missing never fires, and health is where that shows (shared/platform/event-grid-subscriptions.ts).
resource subscriptionReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principal in dataPrincipals: {
  name: guid(blobEvents.id, principal.id, eventGridSubscriptionReader)
  scope: blobEvents
  properties: {
    principalId: principal.id
    principalType: principal.type
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', eventGridSubscriptionReader)
  }
}]
var storageQueueDataContributor = '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
var storageTableDataContributor = '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'

resource blobOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principal in dataPrincipals: {
  name: guid(account.id, principal.id, storageBlobDataOwner)
  scope: account
  properties: {
    principalId: principal.id
    principalType: principal.type
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageBlobDataOwner)
  }
}]

resource queueContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principal in dataPrincipals: {
  name: guid(account.id, principal.id, storageQueueDataContributor)
  scope: account
  properties: {
    principalId: principal.id
    principalType: principal.type
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageQueueDataContributor)
  }
}]

resource tableContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principal in dataPrincipals: {
  name: guid(account.id, principal.id, storageTableDataContributor)
  scope: account
  properties: {
    principalId: principal.id
    principalType: principal.type
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', storageTableDataContributor)
  }
}]

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
output tableEndpoint string = account.properties.primaryEndpoints.table
output systemTopicName string = blobEvents.name
output systemTopicId string = blobEvents.id
