// The one user-assigned managed identity the Function App runs as. Every data-plane role
// (storage, Cosmos DB, Redis, Durable Task Scheduler, Application Insights) is granted to it.

param name string
param location string
param tags object

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: name
  location: location
  tags: tags
}

output id string = identity.id
output name string = identity.name
output clientId string = identity.properties.clientId
output principalId string = identity.properties.principalId
