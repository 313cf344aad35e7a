// Durable Task Scheduler: the Durable Functions backend (host.json storageProvider
// "azureManaged"). The Consumption SKU is billed per action, nothing at idle.

param name string
param location string
param tags object

@description('Task hub name: must equal host.json extensions.durableTask.hubName.')
param taskHubName string

@allowed(['Consumption', 'Dedicated'])
param skuName string

@description('Principal ids that get Durable Task Data Contributor (the app; the deployer for the dashboard).')
param dataPrincipals array

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    sku: { name: skuName }
    // Access is by Entra role only; an empty list would deny all traffic.
    ipAllowlist: ['0.0.0.0/0']
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource retention 'Microsoft.DurableTask/schedulers/retentionPolicies@2025-11-01' = {
  parent: scheduler
  name: 'default'
  properties: {
    retentionPolicies: [
      { retentionPeriodInDays: 30 }
      { orchestrationState: 'Failed', retentionPeriodInDays: 90 }
    ]
  }
}

var durableTaskDataContributor = '0ad04412-c4d5-4796-b79c-f76d14c8d402'

resource dataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for principal in dataPrincipals: {
  name: guid(scheduler.id, principal.id, durableTaskDataContributor)
  scope: scheduler
  properties: {
    principalId: principal.id
    principalType: principal.type
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', durableTaskDataContributor)
  }
}]

output id string = scheduler.id
output name string = scheduler.name
output endpoint string = scheduler.properties.endpoint
output taskHubName string = taskHub.name
output dashboardUrl string = taskHub.properties.dashboardUrl
