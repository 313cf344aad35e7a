// Only when vnetEnabled: a virtual network with a subnet the Function App integrates with
// (outbound) and private endpoints for storage (blob, queue, table), Cosmos DB and Redis, each
// with its private DNS zone. The Durable Task Scheduler keeps its public endpoint (Entra-only).

param name string
param location string
param tags object
param storageAccountId string
param cosmosAccountId string
param redisClusterId string

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: { addressPrefixes: ['10.40.0.0/16'] }
    subnets: [
      {
        name: 'app'
        properties: {
          addressPrefix: '10.40.0.0/24'
          // Flex Consumption integrates through this delegation.
          delegations: [{ name: 'flex', properties: { serviceName: 'Microsoft.App/environments' } }]
        }
      }
      {
        name: 'private-endpoints'
        properties: {
          addressPrefix: '10.40.1.0/24'
          privateEndpointNetworkPolicies: 'Disabled'
        }
      }
    ]
  }
}

var endpoints = [
  { name: 'blob', target: storageAccountId, groupId: 'blob', zone: 'privatelink.blob.${environment().suffixes.storage}' }
  { name: 'queue', target: storageAccountId, groupId: 'queue', zone: 'privatelink.queue.${environment().suffixes.storage}' }
  { name: 'table', target: storageAccountId, groupId: 'table', zone: 'privatelink.table.${environment().suffixes.storage}' }
  { name: 'cosmos', target: cosmosAccountId, groupId: 'Sql', zone: 'privatelink.documents.azure.com' }
  { name: 'redis', target: redisClusterId, groupId: 'redisEnterprise', zone: 'privatelink.redis.azure.net' }
]

resource zones 'Microsoft.Network/privateDnsZones@2020-06-01' = [for endpoint in endpoints: {
  name: endpoint.zone
  location: 'global'
  tags: tags
}]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2020-06-01' = [for (endpoint, i) in endpoints: {
  parent: zones[i]
  name: '${name}-link'
  location: 'global'
  properties: {
    registrationEnabled: false
    virtualNetwork: { id: vnet.id }
  }
}]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [for endpoint in endpoints: {
  name: '${name}-${endpoint.name}'
  location: location
  tags: tags
  properties: {
    subnet: { id: '${vnet.id}/subnets/private-endpoints' }
    privateLinkServiceConnections: [
      {
        name: endpoint.name
        properties: { privateLinkServiceId: endpoint.target, groupIds: [endpoint.groupId] }
      }
    ]
  }
}]

resource dnsGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [for (endpoint, i) in endpoints: {
  parent: privateEndpoints[i]
  name: 'default'
  properties: {
    privateDnsZoneConfigs: [{ name: endpoint.name, properties: { privateDnsZoneId: zones[i].id } }]
  }
}]

output appSubnetId string = '${vnet.id}/subnets/app'
