// Durable Task Scheduler: the Durable Functions backend (host.json storageProvider
// "azureManaged"). The Consumption SKU is billed per action, nothing at idle.

param name string
param location string
param tags object

@description('Task hub name: must equal host.json extensions.durableTask.hubName.')
param taskHubName string

@allowed(['Consumption', 'Dedicated'])
param skuName string

@description('Capacity units of the Dedicated SKU (3 for high availability); the Consumption SKU has none.')
@allowed([1, 3])
param dedicatedCapacity int = 1

@description('Principal ids that get Durable Task Data Contributor (the app; the deployer for the dashboard).')
param dataPrincipals array

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // Dedicated is billed per capacity unit and needs a count; Consumption has no units.
    sku: skuName == 'Dedicated' ? { name: skuName, capacity: dedicatedCapacity } : { name: skuName }
    // Access is by Entra role only; an empty list would deny all traffic.
    ipAllowlist: ['0.0.0.0/0']
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

// The longest each SKU keeps orchestration data: a retention policy beyond it is refused when
// provisioned. test/infra/durable-task.test.ts holds every policy below to these limits.
var retentionLimitDays = {
  Consumption: 30
  Dedicated: 90
}
// Failed runs are kept as long as the SKU allows, for diagnosis; the rest for 30 days.
var failedRetentionDays = retentionLimitDays[skuName]

resource retention 'Microsoft.DurableTask/schedulers/retentionPolicies@2025-11-01' = {
  parent: scheduler
  name: 'default'
  properties: {
    retentionPolicies: [
      { retentionPeriodInDays: 30 }
      { orchestrationState: 'Failed', retentionPeriodInDays: failedRetentionDays }
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
