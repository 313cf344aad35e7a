import { describe, expect, it } from 'vitest';
import { isoDuration, readRuleGroups, ruleGroupsJson, toAzureRuleGroups, type AzureRuleGroup } from './alert-rules.js';
import { read, resource, stripComments } from './bicep-source.js';

/**
 * The alert rules in infra/monitoring/alerts.yml are deployed as prometheusRuleGroups from a
 * JSON twin generated from that file; these tests fail when the two differ or when Bicep stops
 * deploying the twin. After editing alerts.yml: `npx vitest run test/infra/alert-rules.test.ts -u`
 * rewrites the twin, and both files are committed together.
 */

const alertsPath = 'infra/monitoring/alerts.yml';
const twinPath = 'infra/monitoring/alerts.rule-groups.json';
const alertsYaml = read(alertsPath);

/** Seconds of a Prometheus duration, read independently of isoDuration. */
function prometheusSeconds(duration: string): number {
  const unit: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
  return [...duration.matchAll(/(\d+)([smhd])/g)].reduce((sum, m) => sum + Number(m[1]) * (unit[m[2] as string] as number), 0);
}

/** Seconds of an ISO 8601 day-time duration. */
function isoSeconds(duration: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration);
  if (!m) throw new Error(`not an ISO 8601 duration: ${duration}`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
}

const collapse = (text: string): string => text.replace(/\s+/g, ' ').trim();

describe(`alert rules: ${alertsPath} -> Microsoft.AlertsManagement/prometheusRuleGroups`, () => {
  it(`${twinPath} is generated from ${alertsPath}`, async () => {
    await expect(ruleGroupsJson(alertsYaml)).toMatchFileSnapshot(`../../${twinPath}`);
  });

  it('has one rule group per group of the alert file, with the same rules, durations and labels', () => {
    const groups = readRuleGroups(alertsYaml);
    const twin = (JSON.parse(read(twinPath)) as { groups: AzureRuleGroup[] }).groups;
    expect(groups.map((g) => g.name)).toEqual(['arbor-platform', 'arbor-features', 'arbor-pipelines', 'arbor-drift', 'arbor-serving']);
    expect(twin.map((g) => g.name)).toEqual(groups.map((g) => g.name));
    let compared = 0;
    for (const [g, group] of groups.entries()) {
      const deployed = twin[g] as AzureRuleGroup;
      expect(deployed.rules.map((r) => r.alert), `group ${group.name}`).toEqual(group.rules.map((r) => r.alert));
      expect(isoSeconds(deployed.interval)).toBe(60);
      for (const [r, rule] of group.rules.entries()) {
        const azure = deployed.rules[r] as AzureRuleGroup['rules'][number];
        expect(collapse(azure.expression), rule.alert).toBe(collapse(rule.expr));
        expect(azure.for === undefined ? 0 : isoSeconds(azure.for), `${rule.alert} for`).toBe(rule.for === undefined ? 0 : prometheusSeconds(rule.for));
        expect(azure.labels, rule.alert).toEqual(rule.labels);
        expect(azure.annotations, rule.alert).toEqual(rule.annotations);
        expect(azure.enabled).toBe(true);
        compared++;
      }
    }
    expect(compared).toBe(13);
  });

  it('reads block scalars, flow maps and quoted strings as YAML does', () => {
    const [platform] = readRuleGroups(alertsYaml);
    const errorRate = platform?.rules.find((r) => r.alert === 'ArborHighErrorRate');
    expect(errorRate?.expr).toBe(
      'sum by (function) (rate(arbor_function_errors_total[5m]))\n  / sum by (function) (rate(arbor_function_invocations_total[5m])) > 0.05\n',
    );
    expect(errorRate?.labels).toEqual({ severity: 'critical' });
    expect(errorRate?.annotations.summary).toBe('{{ $labels.function }} fails {{ $value | humanizePercentage }} of invocations');
  });

  it('converts Prometheus durations and severity labels the way Azure takes them', () => {
    expect(['10m', '1h30m', '90s', '1d', '2d12h', '1w'].map(isoDuration)).toEqual(['PT10M', 'PT1H30M', 'PT1M30S', 'P1D', 'P2DT12H', 'P7D']);
    for (const bad of ['500ms', '1.5h', '', '0m', '10']) expect(() => isoDuration(bad), bad).toThrow(/duration/);
    const rule = { alert: 'A', expr: 'up == 0', labels: { severity: 'urgent' }, annotations: {} };
    expect(() => toAzureRuleGroups([{ name: 'g', rules: [rule] }])).toThrow(/severity label "urgent"/);
    const severities = ['critical', 'warning', 'info'].map((severity) => toAzureRuleGroups([{ name: 'g', rules: [{ ...rule, labels: { severity } }] }])[0]?.rules[0]?.severity);
    expect(severities).toEqual([0, 2, 3]);
  });

  it('refuses rule files it would convert wrongly', () => {
    const group = (rule: string): string => `groups:\n  - name: g\n    rules:\n${rule}`;
    expect(() => readRuleGroups(group('      - record: r\n        expr: up\n'))).toThrow(/expected alert and expr/);
    expect(() => readRuleGroups(group('      - alert: A\n        expr: up\n        keep_firing_for: 5m\n'))).toThrow(/cannot convert keep_firing_for/);
    expect(() => readRuleGroups(group('      - alert: A\n        expr: >\n          up\n'))).toThrow(/unsupported/);
    expect(() => readRuleGroups(group('      - alert: A\n        expr: *anchor\n'))).toThrow(/unsupported YAML/);
    expect(() => readRuleGroups(group('      - alert: A\n        expr: "up\n'))).toThrow(/unterminated/);
    expect(() => readRuleGroups('groups:\n  - name: g\n    limit: 5\n    rules:\n      - alert: A\n        expr: up\n')).toThrow(/cannot convert limit/);
  });

  it('infra/modules/monitoring.bicep deploys every group of the twin to the Azure Monitor workspace', () => {
    const monitoring = stripComments(read('infra/modules/monitoring.bicep'));
    expect(monitoring).toMatch(/^var alertRuleGroups = loadJsonContent\('\.\.\/monitoring\/alerts\.rule-groups\.json'\)\.groups$/m);
    expect(monitoring).toMatch(/^resource alertRules '[^']+' = \[for group in alertRuleGroups: \{$/m);
    const alertRules = resource(monitoring, 'alertRules');
    expect(alertRules.type).toBe('Microsoft.AlertsManagement/prometheusRuleGroups@2023-03-01');
    expect(alertRules.body).toMatch(/^\s*scopes: \[monitorWorkspace\.id\]$/m);
    expect(alertRules.body).toMatch(/^\s*interval: group\.interval$/m);
    expect(alertRules.body).toMatch(/^\s*rules: group\.rules$/m);
    expect(alertRules.body).toMatch(/^\s*enabled: true$/m);
    expect(alertRules.body).toMatch(/^\s*location: location$/m);
  });
});
