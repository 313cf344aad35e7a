import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startChildService, type ChildService } from '../../local/emulators/child-service.js';
import { eventually, startHostProcess, type HostProcess } from '../support/host-process.js';

const monitoring = join(process.cwd(), 'infra', 'monitoring');

function installed(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
// .ci/run installs Debian's prometheus and prometheus-pushgateway where they are missing.
const hasPrometheus = installed('prometheus');
const hasPushgateway = installed('prometheus-pushgateway');

/** Every arbor_* series name a dashboard query or an alert rule uses. */
async function referencedMetrics(): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const add = (text: string, where: string) => {
    for (const [name] of text.matchAll(/\barbor_[a-z0-9_]+/g)) if (!found.has(name)) found.set(name, where);
  };
  for (const file of await readdir(join(monitoring, 'dashboards'))) {
    const dashboard = JSON.parse(await readFile(join(monitoring, 'dashboards', file), 'utf8')) as { panels: Array<{ title: string; targets: Array<{ expr: string }> }> };
    for (const panel of dashboard.panels) for (const target of panel.targets) add(target.expr, `${file}: ${panel.title}`);
  }
  add(await readFile(join(monitoring, 'alerts.yml'), 'utf8'), 'alerts.yml');
  return found;
}

describe('monitoring: dashboards, alert rules, Prometheus, Pushgateway', () => {
  let host: HostProcess;
  let pushgateway: ChildService | undefined;
  let pushgatewayUrl = '';

  beforeAll(async () => {
    if (hasPushgateway) {
      const port = await freePort();
      pushgatewayUrl = `http://127.0.0.1:${port}`;
      pushgateway = await startChildService('pushgateway', 'prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`], /listening on|Listening on/i);
    }
    host = await startHostProcess(pushgatewayUrl ? { ARBOR_METRICS_PUSHGATEWAY_URL: pushgatewayUrl, ARBOR_METRICS_PUSH_INTERVAL_SECONDS: '1' } : {});
  });
  afterAll(async () => {
    await host?.stop();
    await pushgateway?.stop();
  });

  it('references in dashboards and alert rules only metrics the running platform exports', async () => {
    const referenced = await referencedMetrics();
    expect(referenced.size).toBeGreaterThan(15);
    const exposition = await (await fetch(`${host.url}/api/metrics`)).text();
    const exported = new Map<string, string>();
    for (const [, name, type] of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) exported.set(name as string, type as string);
    const missing: string[] = [];
    for (const [name, where] of referenced) {
      const histogram = /^(.*)_(bucket|sum|count)$/.exec(name);
      const ok = exported.has(name) || (histogram && exported.get(histogram[1] as string) === 'histogram');
      if (!ok) missing.push(`${name} (${where})`);
    }
    expect(missing, 'referenced but not exported').toEqual([]);
  });

  it.skipIf(!hasPrometheus)('is scraped by a real Prometheus, which loads the alert rules and answers a p99 query', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'arbor-prometheus-'));
    const port = await freePort();
    const target = new URL(host.url);
    await writeFile(
      join(folder, 'prometheus.yml'),
      [
        'global: { scrape_interval: 1s, evaluation_interval: 1s }',
        `rule_files: ["${join(monitoring, 'alerts.yml')}"]`,
        'scrape_configs:',
        '  - job_name: arbor',
        '    metrics_path: /api/metrics',
        `    static_configs: [{ targets: ["${target.host}"] }]`,
      ].join('\n'),
    );
    const prometheus = await startChildService(
      'prometheus',
      'prometheus',
      [`--config.file=${join(folder, 'prometheus.yml')}`, `--storage.tsdb.path=${join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      /Server is ready to receive web requests/,
    );
    try {
      const api = `http://127.0.0.1:${port}/api/v1`;
      const query = 'histogram_quantile(0.99, sum by (le) (rate(arbor_function_duration_seconds_bucket{function="health"}[20s])))';
      const p99 = await eventually(async () => {
        await fetch(`${host.url}/api/health`);
        const answer = (await (await fetch(`${api}/query?query=${encodeURIComponent(query)}`)).json()) as { data: { result: Array<{ value: [number, string] }> } };
        const value = Number(answer.data.result[0]?.value[1]);
        return Number.isFinite(value) ? value : undefined;
      }, 30_000, 500);
      expect(p99).toBeGreaterThan(0);
      expect(p99).toBeLessThan(10);
      const rules = (await (await fetch(`${api}/rules`)).json()) as { data: { groups: Array<{ name: string; rules: unknown[] }> } };
      expect(rules.data.groups.map((g) => g.name).sort()).toEqual(['arbor-drift', 'arbor-features', 'arbor-pipelines', 'arbor-platform', 'arbor-serving']);
    } finally {
      await prometheus.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });

  it.skipIf(!hasPushgateway)('pushes every instance’s metrics to a Pushgateway when one is configured', async () => {
    await fetch(`${host.url}/api/health`);
    const pushed = await eventually(async () => {
      const text = await (await fetch(`${pushgatewayUrl}/metrics`)).text();
      return /arbor_function_invocations_total\{[^}]*function="health"[^}]*\}/.test(text) ? text : undefined;
    }, 15_000, 250);
    const line = pushed.split('\n').find((l) => l.startsWith('arbor_function_invocations_total{') && l.includes('function="health"')) ?? '';
    expect(line).toContain('job="arbor"');
    expect(line).toMatch(/instance="[^"]+"/);
  });
});
