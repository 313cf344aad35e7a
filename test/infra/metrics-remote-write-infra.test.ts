import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * What `azd up` provisions so that Grafana shows data (issue 15, item 4), checked offline (no
 * Bicep compiler here): the instances remote-write to the Azure Monitor workspace through a
 * data collection endpoint and rule, with the app identity allowed to publish to that rule.
 */
const monitoring = readFileSync('infra/modules/monitoring.bicep', 'utf8');
const main = readFileSync('infra/main.bicep', 'utf8');
const functionApp = readFileSync('infra/modules/function-app.bicep', 'utf8');

describe('metrics remote write to Azure Monitor in infra/', () => {
  it('routes the Prometheus stream of a data collection rule on its endpoint to the workspace', () => {
    expect(monitoring).toMatch(/resource metricsIngestionEndpoint 'Microsoft\.Insights\/dataCollectionEndpoints@/);
    const rule = /resource metricsIngestionRule 'Microsoft\.Insights\/dataCollectionRules@[\s\S]*?\n}\n/.exec(monitoring)?.[0] ?? '';
    expect(rule).toContain('dataCollectionEndpointId: metricsIngestionEndpoint.id');
    expect(rule).toMatch(/monitoringAccounts: \[\{ name: '(\w+)', accountResourceId: monitorWorkspace\.id \}\]/);
    const destination = /monitoringAccounts: \[\{ name: '(\w+)'/.exec(rule)?.[1];
    expect(rule).toContain(`dataFlows: [{ streams: ['Microsoft-PrometheusMetrics'], destinations: ['${destination}'] }]`);
  });

  it('lets the app identity publish to that rule, and gives the app the rule stream URL', () => {
    const role = /resource appWritesMetrics 'Microsoft\.Authorization\/roleAssignments@[\s\S]*?\n}\n/.exec(monitoring)?.[0] ?? '';
    expect(role).toContain('scope: metricsIngestionRule');
    expect(role).toContain('principalId: appPrincipalId');
    expect(role).toContain('monitoringMetricsPublisher');
    expect(monitoring).toContain("var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'");
    expect(monitoring).toMatch(/output metricsRemoteWriteUrl string = '\$\{metricsIngestionEndpoint\.properties\.metricsIngestion\.endpoint\}\/dataCollectionRules\/\$\{metricsIngestionRule\.properties\.immutableId\}\/streams\/Microsoft-PrometheusMetrics\/api\/v1\/write\?api-version=/);
    expect(main).toContain('metricsRemoteWriteUrl: monitoring.outputs.metricsRemoteWriteUrl');
    expect(functionApp).toContain('ARBOR_METRICS_REMOTE_WRITE_URL: metricsRemoteWriteUrl');
  });
});
