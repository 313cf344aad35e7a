import { lineChart } from '../chart.js';
import { enc, getJson } from '../api.js';
import { append, badge, h, pre, table, when } from '../dom.js';
import type { Page } from '../page.js';

interface Variant {
  name: string;
  model: string;
  version: number;
  weight: number;
}

interface Endpoint {
  name: string;
  variants: Variant[];
  shadow?: { model: string; version: number; percent: number };
  description?: string;
  revision: number;
  updatedAt: string;
}

interface Figures {
  requests: number;
  errors: number;
  errorRate: number;
  p95Ms?: number;
  p99Ms?: number;
}

interface Check {
  seq: number;
  at: string;
  weight: number;
  windowSeconds: number;
  decision: string;
  reasons: string[];
  stable?: Figures;
  candidate?: Figures;
  p99Ratio?: number;
  scorePsi?: number;
  nextWeight: number;
}

interface Rollout {
  id: string;
  endpoint: string;
  state: string;
  stable: { name: string; model: string; version: number };
  candidate: { name: string; model: string; version: number };
  weight: number;
  failures: number;
  checkCount?: number;
  checks?: Check[];
  events?: Array<{ at: string; event: string; weight: number; note?: string }>;
  request?: unknown;
  createdAt: string;
  endedAt?: string;
  reason?: string;
}

function weightBar(weight: number): HTMLElement {
  return h('span', {}, h('span', { class: 'bar', style: `width:${Math.max(weight, 1)}px` }), ` ${weight}%`);
}

const modelLink = (model: string, version: number) => h('a', { href: `#/models/${enc(model)}` }, `${model} v${version}`);

/** #/serving: every endpoint, with its variants and their weights. */
export const servingPage: Page = async ({ main }) => {
  const { endpoints } = await getJson<{ endpoints: Endpoint[] }>('endpoints');
  main.replaceChildren(
    h('h1', {}, 'Models and endpoints'),
    endpoints.length === 0
      ? h('p', {}, 'No endpoint yet.')
      : table(
          ['Endpoint', 'Variants (model, weight)', 'Shadow', 'Revision', 'Updated'],
          endpoints.map((endpoint) => [
            h('a', { href: `#/endpoints/${enc(endpoint.name)}`, class: 'endpoint-link' }, endpoint.name),
            h('div', {}, ...endpoint.variants.map((v) => h('div', { class: 'variant' }, `${v.name}: `, modelLink(v.model, v.version), ' ', weightBar(v.weight)))),
            endpoint.shadow ? `${endpoint.shadow.model} v${endpoint.shadow.version} (${endpoint.shadow.percent}%)` : '',
            endpoint.revision,
            when(endpoint.updatedAt),
          ]),
          { id: 'endpoints' },
        ),
  );
};

/** #/endpoints/<name>: variants with weights, and the endpoint's rollouts. */
export const endpointPage: Page = async ({ main, poll }, [name = '']) => {
  const body = h('div', {});
  main.replaceChildren(h('p', { class: 'crumbs' }, h('a', { href: '#/serving' }, 'Models and endpoints'), ' / ', name), h('h1', {}, `Endpoint ${name}`), body);
  poll(async () => {
    const [endpoint, { rollouts }] = await Promise.all([getJson<Endpoint>(`endpoints/${enc(name)}`), getJson<{ rollouts: Rollout[] }>(`endpoints/${enc(name)}/rollouts`)]);
    body.replaceChildren();
    append(body, [
      endpoint.description ? h('p', {}, endpoint.description) : null,
      h('h2', {}, 'Variants'),
      table(['Variant', 'Model', 'Weight'], endpoint.variants.map((v) => [v.name, modelLink(v.model, v.version), weightBar(v.weight)]), { id: 'variants' }),
      h('h2', {}, 'Rollouts'),
      rollouts.length === 0
        ? h('p', {}, 'No rollout yet.')
        : table(
            ['Rollout', 'State', 'Stable', 'Candidate', 'Candidate weight', 'Checks', 'Started', 'Why it ended'],
            rollouts.map((r) => [
              h('a', { href: `#/endpoints/${enc(name)}/rollouts/${enc(r.id)}`, class: 'rollout-link' }, r.id),
              badge(r.state),
              `${r.stable.model} v${r.stable.version}`,
              `${r.candidate.model} v${r.candidate.version}`,
              weightBar(r.weight),
              r.checkCount ?? '',
              when(r.createdAt),
              r.reason ?? '',
            ]),
            { id: 'rollouts' },
          ),
    ]);
    return true;
  }, 3_000);
};

/**
 * The rollout's figures as charts over time: the candidate's weight (from its start, after each
 * check, to its end), and p99 and error rate per variant at each check.
 */
function rolloutCharts(rollout: Rollout, checks: Check[]): HTMLElement {
  const startWeight = rollout.events?.[0]?.weight ?? checks[0]?.weight ?? rollout.weight;
  const points: Array<{ at: string; weight: number; check?: Check }> = [
    { at: rollout.createdAt, weight: startWeight },
    ...checks.map((check) => ({ at: check.at, weight: check.nextWeight, check })),
    ...(rollout.endedAt && rollout.endedAt !== checks.at(-1)?.at ? [{ at: rollout.endedAt, weight: rollout.weight }] : []),
  ];
  const times = points.map((point) => Date.parse(point.at) / 1000);
  const figure = (side: 'stable' | 'candidate', key: 'p99Ms' | 'errorRate') => points.map((point) => point.check?.[side]?.[key] ?? null);
  return h(
    'div',
    { class: 'charts' },
    lineChart('Candidate weight (%)', times, [{ label: 'candidate weight', values: points.map((point) => point.weight), colour: '#3b82f6' }], 'weight'),
    lineChart('p99 latency (ms)', times, [{ label: 'stable', values: figure('stable', 'p99Ms'), colour: '#5a6272' }, { label: 'candidate', values: figure('candidate', 'p99Ms'), colour: '#e8a23a' }], 'p99'),
    lineChart('Error rate', times, [{ label: 'stable', values: figure('stable', 'errorRate'), colour: '#5a6272' }, { label: 'candidate', values: figure('candidate', 'errorRate'), colour: '#d93b3b' }], 'error-rate'),
  );
}

const figures = (f?: Figures) => (f ? `${f.requests} req · ${(f.errorRate * 100).toFixed(1)}% err · p99 ${f.p99Ms === undefined ? '–' : `${f.p99Ms.toFixed(0)} ms`}` : '');

/** #/endpoints/<name>/rollouts/<id>: every analysis decision with its figures, charted; polled while it runs. */
export const rolloutPage: Page = async ({ main, poll }, [name = '', id = '']) => {
  const body = h('div', {});
  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/serving' }, 'Models and endpoints'), ' / ', h('a', { href: `#/endpoints/${enc(name)}` }, name), ' / ', id),
    body,
  );
  let shownChecks = -1;
  poll(async () => {
    const rollout = await getJson<Rollout>(`endpoints/${enc(name)}/rollouts/${enc(id)}`);
    const checks = rollout.checks ?? [];
    const running = rollout.state === 'running' || rollout.state === 'paused';
    // Redrawn only when a check was added or it ended: the charts keep still between checks.
    if (checks.length === shownChecks && running) return true;
    shownChecks = checks.length;
    body.replaceChildren();
    append(body, [
      h('h1', {}, `Rollout ${rollout.id} `, h('span', { id: 'rollout-state' }, badge(rollout.state))),
      h('p', {}, `${rollout.stable.model} v${rollout.stable.version} (stable) → ${rollout.candidate.model} v${rollout.candidate.version} (candidate) · candidate weight `, weightBar(rollout.weight), ` · ${rollout.failures} failed checks`),
      rollout.reason ? h('p', { class: 'reason' }, rollout.reason) : null,
      checks.length ? rolloutCharts(rollout, checks) : h('p', {}, 'No check yet.'),
      h('h2', {}, 'Analysis decisions'),
      table(
        ['#', 'At', 'Weight', 'Decision', 'Stable', 'Candidate', 'p99 ratio', 'Score PSI', 'Reasons', 'Next weight'],
        checks.map((c) => [c.seq, when(c.at), `${c.weight}%`, badge(c.decision), figures(c.stable), figures(c.candidate), c.p99Ratio?.toFixed(2) ?? '', c.scorePsi?.toFixed(3) ?? '', c.reasons.join('; '), `${c.nextWeight}%`]),
        { id: 'checks' },
      ),
      h('h2', {}, 'Events'),
      table(['At', 'Event', 'Weight', 'Note'], (rollout.events ?? []).map((e) => [when(e.at), e.event, `${e.weight}%`, e.note ?? '']), { id: 'events' }),
      rollout.request ? h('details', {}, h('summary', {}, 'Request'), pre(rollout.request)) : null,
    ]);
    return running;
  }, 2_000);
};

interface ModelVersion {
  version: number;
  stage: string;
  createdAt: string;
  metrics?: Record<string, unknown>;
  description?: string;
  artifact?: { bytes: number };
}

/** #/models/<name>: the model and its versions with stage and metrics. */
export const modelPage: Page = async ({ main }, [name = '']) => {
  const [model, { versions }] = await Promise.all([
    getJson<{ model: string; task: string; latestVersion: number; description?: string }>(`models/${enc(name)}`),
    getJson<{ versions: ModelVersion[] }>(`models/${enc(name)}/versions`),
  ]);
  main.replaceChildren();
  append(main, [
    h('p', { class: 'crumbs' }, h('a', { href: '#/serving' }, 'Models and endpoints'), ' / ', name),
    h('h1', {}, `Model ${model.model}`),
    h('p', {}, `${model.task} · latest version ${model.latestVersion}`, model.description ? ` · ${model.description}` : ''),
    table(['Version', 'Stage', 'Registered', 'Size', 'Metrics'], versions.map((v) => [v.version, badge(v.stage), when(v.createdAt), v.artifact ? `${v.artifact.bytes} B` : '', v.metrics && Object.keys(v.metrics).length ? pre(v.metrics) : '']), { id: 'versions' }),
  ]);
};
