// Cosmos DB for NoSQL, serverless (billed per request unit and GB, nothing at idle), keys
// disabled: the app reaches it with its managed identity through a data-plane role assignment.
// The code does not create containers when it has no key, so every one it uses is declared here.

param name string
param location string
param tags object
param databaseName string

@description('Containers: [{ id, partitionKey }], the ContainerDefinitions in shared/.')
param containers array

@description('Principal ids that get the Cosmos DB Built-in Data Contributor role.')
param dataPrincipalIds string[]

param vnetEnabled bool

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-11-15' = {
  name: name
  location: location
  tags: tags
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    locations: [{ locationName: location, failoverPriority: 0, isZoneRedundant: false }]
    consistencyPolicy: { defaultConsistencyLevel: 'Session' }
    capabilities: [{ name: 'EnableServerless' }]
    disableLocalAuth: true
    disableKeyBasedMetadataWriteAccess: true
    minimalTlsVersion: 'Tls12'
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-11-15' = {
  parent: account
  name: databaseName
  properties: { resource: { id: databaseName } }
}

resource sqlContainers 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-11-15' = [for container in containers: {
  parent: database
  name: container.id
  properties: {
    resource: {
      id: container.id
      partitionKey: { paths: [container.partitionKey], kind: 'Hash', version: 2 }
    }
  }
}]

// 00000000-0000-0000-0000-000000000002: Cosmos DB Built-in Data Contributor (data plane).
resource dataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-11-15' = [for principalId in dataPrincipalIds: {
  parent: account
  name: guid(account.id, principalId, 'data-contributor')
  properties: {
    principalId: principalId
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002'
    scope: account.id
  }
}]

output id string = account.id
output name string = account.name
output endpoint string = account.properties.documentEndpoint
