import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, startChildService } from '../../local/emulators/child-service.js';
import { eventually } from '../support/host-process.js';
import type { AzureRuleGroup } from './alert-rules.js';
import { read, root } from './bicep-source.js';

/**
 * The JSON twin that Bicep deploys, checked by a parser that is not ours: a real Prometheus
 * loads infra/monitoring/alerts.yml and the twin (turned back into a Prometheus rule file) side
 * by side, and its rules API must describe the same rules for both. This catches a misreading
 * of the YAML by test/infra/alert-rules.ts that the generated-file check alone would repeat.
 */

function installed(command: string): boolean {
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
// .ci/run installs Debian's prometheus where it is missing.
const hasPrometheus = installed('prometheus');

const isoSeconds = (duration: string): number => {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(duration);
  if (!m) throw new Error(`not an ISO 8601 duration: ${duration}`);
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0);
};

interface LoadedGroup {
  name: string;
  file: string;
  interval: number;
  rules: Array<{ name: string; query: string; duration: number; labels: Record<string, string>; annotations: Record<string, string>; type: string }>;
}

describe('alert rules: the deployed twin means what alerts.yml means to Prometheus', () => {
  it.skipIf(!hasPrometheus)('a real Prometheus reads the same groups and rules from both', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'arbor-alert-rules-'));
    const twin = (JSON.parse(read('infra/monitoring/alerts.rule-groups.json')) as { groups: AzureRuleGroup[] }).groups;
    const asPrometheus = {
      groups: twin.map((group) => ({
        name: group.name,
        interval: `${isoSeconds(group.interval)}s`,
        rules: group.rules.map((rule) => ({
          alert: rule.alert,
          expr: rule.expression,
          ...(rule.for === undefined ? {} : { for: `${isoSeconds(rule.for)}s` }),
          labels: rule.labels,
          annotations: rule.annotations,
        })),
      })),
    };
    const alertsFile = join(root, 'infra', 'monitoring', 'alerts.yml');
    const twinFile = join(folder, 'twin-rules.yml');
    // JSON is YAML, so Prometheus reads this file with the same parser as alerts.yml.
    await writeFile(twinFile, JSON.stringify(asPrometheus));
    await writeFile(join(folder, 'prometheus.yml'), `global: { evaluation_interval: 1m }\nrule_files: ["${alertsFile}", "${twinFile}"]\n`);
    const port = await freePort();
    const prometheus = await startChildService(
      'prometheus',
      'prometheus',
      [`--config.file=${join(folder, 'prometheus.yml')}`, `--storage.tsdb.path=${join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      /Server is ready to receive web requests/,
    );
    try {
      const groups = await eventually(async () => {
        const answer = (await (await fetch(`http://127.0.0.1:${port}/api/v1/rules`)).json()) as { data: { groups: LoadedGroup[] } };
        return answer.data.groups.length === 2 * twin.length ? answer.data.groups : undefined;
      }, 20_000, 200);
      const fromFile = (file: string) =>
        groups
          .filter((g) => g.file === file)
          .map((g) => ({ name: g.name, interval: g.interval, rules: g.rules.map(({ name, query, duration, labels, annotations, type }) => ({ name, query, duration, labels, annotations, type })) }));
      const original = fromFile(alertsFile);
      expect(original.length).toBe(5);
      expect(original.flatMap((g) => g.rules).length).toBe(13);
      expect(original.flatMap((g) => g.rules).every((r) => r.type === 'alerting')).toBe(true);
      expect(fromFile(twinFile)).toEqual(original);
    } finally {
      await prometheus.stop();
      await rm(folder, { recursive: true, force: true });
    }
  });
});
