// Azure Managed Redis (Microsoft.Cache/redisEnterprise), access keys disabled: clients sign in
// with Microsoft Entra tokens (shared/storage/redis-entra.ts), granted by access policy
// assignments. EnterpriseCluster policy gives one endpoint, so a non-cluster client (ioredis
// `new Redis(url)`) works at every SKU size. OSSCluster lets clients talk to each shard (faster
// at larger sizes) and needs a cluster client: the app then runs with REDIS_CLUSTER=true
// (output clusterClient). Under either policy a database with several shards refuses
// transactions and scripts over several hash slots; Arbor keeps such keys in one slot.

param name string
param location string
param tags object

@description('Azure Managed Redis SKU, e.g. Balanced_B0 (0.5 GB), Balanced_B1, Balanced_B5, MemoryOptimized_M10.')
param skuName string

@description('Object ids (principal ids) that may connect with Entra tokens.')
param dataPrincipalIds string[]

@description('EnterpriseCluster or OSSCluster; fixed when the database is created.')
@allowed(['EnterpriseCluster', 'OSSCluster'])
param clusteringPolicy string = 'EnterpriseCluster'

@description('With the private endpoint (vnetEnabled), the public endpoint is closed.')
param vnetEnabled bool

// 2025-07-01 or later: publicNetworkAccess is required from this version on, and a cluster
// created with an older version has no such property and can never be closed to the internet.
resource cluster 'Microsoft.Cache/redisEnterprise@2025-07-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: skuName }
  properties: {
    minimumTlsVersion: '1.2'
    publicNetworkAccess: vnetEnabled ? 'Disabled' : 'Enabled'
    // High availability doubles the price; B0 for dev/test is fine without it.
    highAvailability: startsWith(skuName, 'Balanced_B0') ? 'Disabled' : 'Enabled'
  }
}

resource database 'Microsoft.Cache/redisEnterprise/databases@2025-07-01' = {
  parent: cluster
  name: 'default'
  properties: {
    clientProtocol: 'Encrypted'
    port: 10000
    clusteringPolicy: clusteringPolicy
    evictionPolicy: 'NoEviction'
    accessKeysAuthentication: 'Disabled'
  }
}

// One at a time: the service refuses an access policy update while another is in progress, and
// a copy loop would send the app's and the deployer's assignments together.
@batchSize(1)
resource access 'Microsoft.Cache/redisEnterprise/databases/accessPolicyAssignments@2025-07-01' = [for (principalId, i) in dataPrincipalIds: {
  parent: database
  // Names are letters and digits only.
  name: 'arbor${i}${take(uniqueString(principalId), 8)}'
  properties: {
    accessPolicyName: 'default'
    user: { objectId: principalId }
  }
}]

output id string = cluster.id
output name string = cluster.name
output hostName string = cluster.properties.hostName
// No password: the app authenticates with Entra tokens (REDIS_ENTRA_AUTH=true).
output url string = 'rediss://${cluster.properties.hostName}:10000'
// The app must connect as a cluster client exactly when the policy is OSS (REDIS_CLUSTER).
output clusterClient bool = clusteringPolicy == 'OSSCluster'
