// Logs and traces: Log Analytics + workspace-based Application Insights (local auth disabled,
// the app publishes with its identity). Metrics: an Azure Monitor workspace (managed
// Prometheus) with the alert rules of infra/monitoring/alerts.yml, and Azure Managed Grafana
// wired to it; the dashboards in infra/monitoring/ are imported by infra/hooks/postprovision.mjs.

param location string
param tags object
param logAnalyticsName string
param appInsightsName string
param monitorWorkspaceName string
param grafanaName string
param deployGrafana bool

@allowed(['Essential', 'Standard'])
param grafanaSku string

@description('Principal id of the app identity (Monitoring Metrics Publisher on Application Insights).')
param appPrincipalId string

@description('Object id of the deploying user: Grafana Admin. Empty: none.')
param adminPrincipalId string

@allowed(['User', 'ServicePrincipal', 'Group'])
param adminPrincipalType string

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: logAnalyticsName
  location: location
  tags: tags
  properties: {
    sku: { name: 'PerGB2018' }
    retentionInDays: 30
    features: { disableLocalAuth: true }
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: appInsightsName
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
    DisableLocalAuth: true
  }
}

resource monitorWorkspace 'Microsoft.Monitor/accounts@2023-04-03' = {
  name: monitorWorkspaceName
  location: location
  tags: tags
}

// infra/monitoring/alerts.yml in the shape prometheusRuleGroups takes, generated from it by
// test/infra/alert-rules.ts (the test fails when the two differ; Bicep cannot read YAML in
// every version azd users have). Alerts fire in Azure Monitor (portal: Monitor > Alerts); add
// an action group to a rule to be notified.
var alertRuleGroups = loadJsonContent('../monitoring/alerts.rule-groups.json').groups

resource alertRules 'Microsoft.AlertsManagement/prometheusRuleGroups@2023-03-01' = [for group in alertRuleGroups: {
  name: group.name
  location: location
  tags: tags
  properties: {
    description: 'Arbor alert rules, group ${group.name} of infra/monitoring/alerts.yml'
    scopes: [monitorWorkspace.id]
    enabled: true
    interval: group.interval
    rules: group.rules
  }
}]

resource grafana 'Microsoft.Dashboard/grafana@2024-10-01' = if (deployGrafana) {
  name: grafanaName
  location: location
  tags: tags
  sku: { name: grafanaSku }
  identity: { type: 'SystemAssigned' }
  properties: {
    grafanaMajorVersion: '11'
    apiKey: 'Disabled'
    deterministicOutboundIP: 'Disabled'
    publicNetworkAccess: 'Enabled'
    zoneRedundancy: 'Disabled'
    grafanaIntegrations: {
      azureMonitorWorkspaceIntegrations: [{ azureMonitorWorkspaceResourceId: monitorWorkspace.id }]
    }
  }
}

// Instances write their metrics to the workspace with Prometheus remote write (Flex Consumption
// instances cannot be scraped): a data collection endpoint takes the writes in, a rule routes
// the Prometheus stream to the workspace, and the app's identity may publish to that rule.
resource metricsIngestionEndpoint 'Microsoft.Insights/dataCollectionEndpoints@2023-03-11' = {
  name: take('dce-${monitorWorkspaceName}', 44)
  location: location
  tags: tags
  kind: 'Linux'
  properties: {
    networkAcls: { publicNetworkAccess: 'Enabled' }
  }
}

resource metricsIngestionRule 'Microsoft.Insights/dataCollectionRules@2023-03-11' = {
  name: take('dcr-${monitorWorkspaceName}', 64)
  location: location
  tags: tags
  kind: 'Linux'
  properties: {
    dataCollectionEndpointId: metricsIngestionEndpoint.id
    dataSources: {
      prometheusForwarder: [{ name: 'arborRemoteWrite', streams: ['Microsoft-PrometheusMetrics'], labelIncludeFilter: {} }]
    }
    destinations: {
      monitoringAccounts: [{ name: 'arborWorkspace', accountResourceId: monitorWorkspace.id }]
    }
    dataFlows: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['arborWorkspace'] }]
  }
}

var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'
var monitoringDataReader = 'b0d8363b-8ddd-447d-831f-62ca05bff136'
var monitoringReader = '43d0d8ad-25c7-4714-9337-8ba259a9fe05'
var grafanaAdmin = '22926164-76b3-42b3-bc55-97df8dab3e41'

resource appPublishes 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, appPrincipalId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

resource appWritesMetrics 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(metricsIngestionRule.id, appPrincipalId, monitoringMetricsPublisher)
  scope: metricsIngestionRule
  properties: {
    principalId: appPrincipalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
  }
}

// Grafana reads Prometheus metrics from the workspace, and Azure Monitor metrics/logs of the group.
resource grafanaReadsPrometheus 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployGrafana) {
  name: guid(monitorWorkspace.id, grafanaName, monitoringDataReader)
  scope: monitorWorkspace
  properties: {
    principalId: grafana!.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringDataReader)
  }
}

resource grafanaReadsGroup 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployGrafana) {
  name: guid(resourceGroup().id, grafanaName, monitoringReader)
  properties: {
    principalId: grafana!.identity.principalId
    principalType: 'ServicePrincipal'
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringReader)
  }
}

resource adminIsGrafanaAdmin 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (deployGrafana && !empty(adminPrincipalId)) {
  name: guid(grafanaName, adminPrincipalId, grafanaAdmin)
  scope: grafana
  properties: {
    principalId: adminPrincipalId
    principalType: adminPrincipalType
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', grafanaAdmin)
  }
}

output appInsightsConnectionString string = appInsights.properties.ConnectionString
output appInsightsName string = appInsights.name
output logAnalyticsId string = logAnalytics.id
output monitorWorkspaceId string = monitorWorkspace.id
// Where ARBOR_METRICS_REMOTE_WRITE_URL points: the rule's Prometheus stream on its endpoint.
output metricsRemoteWriteUrl string = '${metricsIngestionEndpoint.properties.metricsIngestion.endpoint}/dataCollectionRules/${metricsIngestionRule.properties.immutableId}/streams/Microsoft-PrometheusMetrics/api/v1/write?api-version=2023-04-24'
output prometheusQueryEndpoint string = monitorWorkspace.properties.metrics.prometheusQueryEndpoint
output grafanaName string = deployGrafana ? grafanaName : ''
output grafanaEndpoint string = deployGrafana ? grafana!.properties.endpoint : ''
