/**
 * infra/monitoring/alerts.yml (Prometheus rule file) -> the rule groups Azure Monitor managed
 * Prometheus takes (Microsoft.AlertsManagement/prometheusRuleGroups), written to
 * infra/monitoring/alerts.rule-groups.json, which infra/modules/monitoring.bicep loads.
 *
 * No YAML package is installed, so this reads the subset of YAML a rule file uses (block maps
 * and lists, `|` block scalars, one-line `{ k: v }` maps, quoted and plain scalars) and refuses
 * anything else rather than guess. test/infra/alert-rules-prometheus.test.ts checks the result
 * against Prometheus's own reading of the same file.
 */

type Yaml = string | Yaml[] | { [key: string]: Yaml };

interface Line {
  number: number;
  indent: number;
  text: string;
}

const isSkippable = (raw: string): boolean => /^\s*(#.*)?$/.test(raw);

/** Parses the rule-file subset of YAML; throws naming the line on anything outside it. */
export function parseRuleYaml(source: string): Yaml {
  const raw = source.replace(/\r\n/g, '\n').split('\n');
  let at = 0;

  const next = (): Line | undefined => {
    while (at < raw.length && isSkippable(raw[at] as string)) at++;
    if (at >= raw.length) return undefined;
    const text = raw[at] as string;
    if (/\t/.test(/^\s*/.exec(text)?.[0] ?? '')) throw new Error(`line ${at + 1}: tabs in indentation`);
    const indent = text.length - text.trimStart().length;
    return { number: at + 1, indent, text: text.trim() };
  };

  const fail = (line: Line | undefined, why: string): never => {
    throw new Error(line ? `alerts YAML line ${line.number} ("${line.text}"): ${why}` : `alerts YAML: ${why}`);
  };

  function scalar(text: string, line: Line): string {
    if (text.startsWith('"')) {
      const match = /^"((?:[^"\\]|\\.)*)"\s*(#.*)?$/.exec(text);
      if (!match) fail(line, 'unterminated double-quoted string');
      return (match as RegExpExecArray)[1]!.replace(/\\(["\\/nt])/g, (_, ch: string) => ({ n: '\n', t: '\t' })[ch as 'n' | 't'] ?? ch);
    }
    if (text.startsWith("'")) {
      const match = /^'((?:[^']|'')*)'\s*(#.*)?$/.exec(text);
      if (!match) fail(line, 'unterminated single-quoted string');
      return (match as RegExpExecArray)[1]!.replace(/''/g, "'");
    }
    if (/^[>&*!%@`]/.test(text)) fail(line, `unsupported YAML (${text[0]})`);
    return text.replace(/\s+#.*$/, '');
  }

  function flowMap(text: string, line: Line): Record<string, string> {
    const inner = /^\{(.*)\}\s*(#.*)?$/.exec(text)?.[1];
    if (inner === undefined) return fail(line, 'a flow map must open and close on one line');
    const map: Record<string, string> = {};
    if (inner.trim() === '') return map;
    for (const part of inner.split(',')) {
      const entry = /^\s*([\w.-]+):\s*(.+?)\s*$/.exec(part);
      if (!entry) fail(line, `cannot read flow map entry "${part}"`);
      map[(entry as RegExpExecArray)[1]!] = scalar((entry as RegExpExecArray)[2]!, line);
    }
    return map;
  }

  function blockScalar(indicator: string, parentIndent: number, line: Line): string {
    if (!/^\|-?$/.test(indicator)) fail(line, `unsupported block scalar ${indicator}`);
    at++;
    const body: string[] = [];
    let blockIndent = -1;
    while (at < raw.length) {
      const text = raw[at] as string;
      if (text.trim() === '') {
        body.push('');
        at++;
        continue;
      }
      const indent = text.length - text.trimStart().length;
      if (indent <= parentIndent) break;
      if (blockIndent < 0) blockIndent = indent;
      if (indent < blockIndent) fail({ number: at + 1, indent, text: text.trim() }, 'block scalar line less indented than its first line');
      body.push(text.slice(blockIndent));
      at++;
    }
    while (body.length > 0 && body.at(-1) === '') body.pop();
    const content = body.join('\n');
    if (indicator === '|-') return content;
    return `${content}\n`;
  }

  function node(indent: number): Yaml {
    const first = next();
    if (!first || first.indent !== indent) return fail(first, `expected content at indent ${indent}`);
    return first.text.startsWith('- ') || first.text === '-' ? list(indent) : map(indent);
  }

  function list(indent: number): Yaml[] {
    const items: Yaml[] = [];
    for (let line = next(); line && line.indent === indent && (line.text.startsWith('- ') || line.text === '-'); line = next()) {
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        at++;
        items.push(node((next() ?? fail(line, 'empty list item')).indent));
      } else if (/^[\w.-]+:(\s|$)/.test(rest)) {
        // "- key: value" opens a map whose keys sit two columns further in.
        raw[at] = `${' '.repeat(indent + 2)}${rest}`;
        items.push(map(indent + 2));
      } else {
        items.push(scalar(rest, line));
        at++;
      }
    }
    return items;
  }

  function map(indent: number): Record<string, Yaml> {
    const result: Record<string, Yaml> = {};
    for (let line = next(); line && line.indent >= indent; line = next()) {
      if (line.indent > indent) fail(line, 'unexpected indentation');
      const entry = /^([\w.-]+):(?:\s+(.*))?$/.exec(line.text);
      if (!entry) fail(line, 'expected "key: value"');
      const [, key, rest = ''] = entry as RegExpExecArray;
      if ((key as string) in result) fail(line, `duplicate key ${key}`);
      const value = rest.replace(/^#.*$/, '').trim();
      if (value === '') {
        at++;
        const child = next();
        if (!child || child.indent <= indent) fail(line, `${key} has no value`);
        result[key as string] = node((child as Line).indent);
      } else if (value.startsWith('|')) {
        result[key as string] = blockScalar(value.replace(/\s+#.*$/, ''), indent, line);
      } else if (value.startsWith('{')) {
        result[key as string] = flowMap(value, line);
        at++;
      } else if (value.startsWith('[')) {
        fail(line, 'flow lists are not supported');
      } else {
        result[key as string] = scalar(value, line);
        at++;
      }
    }
    return result;
  }

  const document = node(next()?.indent ?? 0);
  const rest = next();
  if (rest) fail(rest, 'content after the document');
  return document;
}

/** A Prometheus alerting rule as alerts.yml holds it. */
export interface PrometheusAlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface PrometheusRuleGroup {
  name: string;
  interval?: string;
  rules: PrometheusAlertRule[];
}

const isMap = (value: Yaml | undefined): value is { [key: string]: Yaml } => typeof value === 'object' && value !== null && !Array.isArray(value);
const stringMap = (value: Yaml | undefined, where: string): Record<string, string> => {
  if (value === undefined) return {};
  if (!isMap(value) || Object.values(value).some((v) => typeof v !== 'string')) throw new Error(`${where}: expected a map of strings`);
  return value as Record<string, string>;
};

/** The groups of a rule file; a key the conversion does not carry (recording rules, keep_firing_for, ...) is refused. */
export function readRuleGroups(source: string): PrometheusRuleGroup[] {
  const document = parseRuleYaml(source);
  if (!isMap(document) || !Array.isArray(document.groups) || Object.keys(document).length !== 1) throw new Error('alerts YAML: expected exactly `groups: [...]`');
  return document.groups.map((group, g) => {
    if (!isMap(group) || typeof group.name !== 'string' || !Array.isArray(group.rules)) throw new Error(`group ${g}: expected name and rules`);
    const unknownGroupKeys = Object.keys(group).filter((k) => !['name', 'interval', 'rules'].includes(k));
    if (unknownGroupKeys.length > 0) throw new Error(`group ${group.name}: cannot convert ${unknownGroupKeys.join(', ')}`);
    const rules = group.rules.map((rule, r): PrometheusAlertRule => {
      const where = `group ${group.name} rule ${r}`;
      if (!isMap(rule) || typeof rule.alert !== 'string' || typeof rule.expr !== 'string') throw new Error(`${where}: expected alert and expr`);
      const unknownRuleKeys = Object.keys(rule).filter((k) => !['alert', 'expr', 'for', 'labels', 'annotations'].includes(k));
      if (unknownRuleKeys.length > 0) throw new Error(`${where}: cannot convert ${unknownRuleKeys.join(', ')}`);
      if (rule.for !== undefined && typeof rule.for !== 'string') throw new Error(`${where}: for must be a duration`);
      return {
        alert: rule.alert,
        expr: rule.expr,
        ...(rule.for === undefined ? {} : { for: rule.for }),
        labels: stringMap(rule.labels, `${where} labels`),
        annotations: stringMap(rule.annotations, `${where} annotations`),
      };
    });
    if (group.interval !== undefined && typeof group.interval !== 'string') throw new Error(`group ${group.name}: interval must be a duration`);
    return { name: group.name, ...(group.interval === undefined ? {} : { interval: group.interval }), rules };
  });
}

/** Prometheus duration (`90s`, `10m`, `1h30m`, `1d`) -> ISO 8601 (`PT1M30S`, `PT10M`, `PT1H30M`, `P1D`). */
export function isoDuration(duration: string): string {
  const units = { y: 365 * 86_400, w: 7 * 86_400, d: 86_400, h: 3_600, m: 60, s: 1 } as const;
  if (!/^(\d+(y|w|d|h|m|s))+$/.test(duration)) throw new Error(`cannot convert duration "${duration}" (ms and fractions are not supported)`);
  let seconds = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(y|w|d|h|m|s)/g)) seconds += Number(amount) * units[unit as keyof typeof units];
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const rest = seconds % 60;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${rest ? `${rest}S` : ''}`;
  if (!days && !time) throw new Error(`duration "${duration}" is zero`);
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}

/** Azure Monitor alert severity (0 critical ... 4 verbose) for the rule's `severity` label. */
export const azureSeverity: Readonly<Record<string, number>> = { critical: 0, error: 1, warning: 2, info: 3 };

export interface AzureRuleGroup {
  name: string;
  interval: string;
  rules: Array<{
    alert: string;
    expression: string;
    for?: string;
    severity: number;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    enabled: true;
  }>;
}

/** Managed Prometheus evaluates a group every minute unless it says otherwise, like Prometheus's default. */
const defaultInterval = '1m';

export function toAzureRuleGroups(groups: readonly PrometheusRuleGroup[]): AzureRuleGroup[] {
  return groups.map((group) => ({
    name: group.name,
    interval: isoDuration(group.interval ?? defaultInterval),
    rules: group.rules.map((rule) => {
      const severity = azureSeverity[rule.labels.severity ?? ''];
      if (severity === undefined) throw new Error(`${rule.alert}: severity label "${rule.labels.severity}" is not one of ${Object.keys(azureSeverity).join(', ')}`);
      return {
        alert: rule.alert,
        // PromQL ignores the layout; the block scalar's line breaks only make the file readable.
        expression: rule.expr.trim(),
        ...(rule.for === undefined ? {} : { for: isoDuration(rule.for) }),
        severity,
        labels: rule.labels,
        annotations: rule.annotations,
        enabled: true as const,
      };
    }),
  }));
}

/** The text of infra/monitoring/alerts.rule-groups.json for this alerts.yml. */
export function ruleGroupsJson(alertsYaml: string): string {
  const document = {
    $comment: 'Generated from infra/monitoring/alerts.yml by test/infra/alert-rules.ts; do not edit. Regenerate: npx vitest run test/infra/alert-rules.test.ts -u',
    groups: toAzureRuleGroups(readRuleGroups(alertsYaml)),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
