import { enc, getJson } from '../api.js';
import { drawDag, type DagStep } from '../dag.js';
import { append, badge, h, pre, seconds, table, when } from '../dom.js';
import type { Page } from '../page.js';

interface PipelineSummary {
  name: string;
  version: number;
  registeredAt: string;
  schedule: string | null;
  steps: number;
}

interface RunSummary {
  runId: string;
  pipeline: string;
  version: number;
  state: string;
  trigger?: string;
  createdAt?: string;
  startedAt?: string;
  endedAt?: string;
}

interface StepView {
  state: string;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  error?: string;
  outputs?: Record<string, unknown>;
  lineage?: { read: unknown[]; wrote: unknown[] };
}

interface RunView {
  runId: string;
  state: string;
  pipeline: { name: string; version: number };
  params?: Record<string, unknown>;
  startedAt?: string;
  endedAt?: string;
  steps: Record<string, StepView>;
}

interface PipelineRecord {
  name: string;
  version: number;
  spec?: { steps?: Array<{ id: string; uses: string; dependsOn?: string[] }> };
}

const endedRunStates = new Set(['succeeded', 'failed', 'cancelled']);

/** #/pipelines: every registered pipeline. */
export const pipelinesPage: Page = async ({ main }) => {
  const { pipelines } = await getJson<{ pipelines: PipelineSummary[] }>('pipelines');
  main.replaceChildren(
    h('h1', {}, 'Pipelines'),
    pipelines.length === 0
      ? h('p', {}, 'No pipeline is registered yet.')
      : table(
          ['Pipeline', 'Version', 'Steps', 'Schedule', 'Registered'],
          pipelines.map((p) => [h('a', { href: `#/pipelines/${enc(p.name)}`, class: 'pipeline-link' }, p.name), p.version, p.steps, p.schedule ?? '', when(p.registeredAt)]),
          { id: 'pipelines' },
        ),
  );
};

/** #/pipelines/<name>: its latest runs, refreshed while the page is open. */
export const runsPage: Page = async ({ main, poll }, [name = '']) => {
  const list = h('div', {});
  main.replaceChildren(h('p', { class: 'crumbs' }, h('a', { href: '#/pipelines' }, 'Pipelines'), ' / ', name), h('h1', {}, `Runs of ${name}`), list);
  poll(async () => {
    const { runs } = await getJson<{ runs: RunSummary[] }>(`pipelines/${enc(name)}/runs`);
    list.replaceChildren(
      runs.length === 0
        ? h('p', {}, 'No run yet.')
        : table(
            ['Run', 'State', 'Trigger', 'Created', 'Duration'],
            runs.map((run) => [h('a', { href: `#/runs/${enc(run.runId)}`, class: 'run-link' }, run.runId), badge(run.state), run.trigger ?? '', when(run.createdAt), seconds(run.startedAt, run.endedAt)]),
            { id: 'runs' },
          ),
    );
  }, 2_000);
};

/** The panel of one step: its state, attempts, times, error, outputs and lineage. */
function stepDetail(stepId: string, step: StepView | undefined): HTMLElement {
  if (!step) return h('section', { id: 'step-detail' }, h('h2', {}, stepId), h('p', {}, 'Not started.'));
  return h(
    'section',
    { id: 'step-detail', 'data-step': stepId },
    h('h2', {}, `Step ${stepId} `, badge(step.state)),
    h('dl', {}, h('dt', {}, 'Attempts'), h('dd', { class: 'attempts' }, step.attempts), h('dt', {}, 'Started'), h('dd', {}, when(step.startedAt)), h('dt', {}, 'Ended'), h('dd', {}, when(step.endedAt)), h('dt', {}, 'Duration'), h('dd', {}, seconds(step.startedAt, step.endedAt))),
    step.error ? h('div', {}, h('h3', {}, 'Error'), h('pre', { class: 'step-error' }, step.error)) : null,
    step.outputs ? h('div', { class: 'step-outputs' }, h('h3', {}, 'Outputs'), pre(step.outputs)) : null,
    step.lineage && (step.lineage.read.length || step.lineage.wrote.length) ? h('div', { class: 'step-lineage' }, h('h3', {}, 'Lineage'), pre(step.lineage)) : null,
  );
}

/** #/runs/<id>: the run's DAG, coloured by each step's state, polled until the run ends. */
export const runPage: Page = async ({ main, poll }, [runId = '']) => {
  const first = await getJson<RunView>(`runs/${enc(runId)}`);
  const record = await getJson<PipelineRecord>(`pipelines/${enc(first.pipeline.name)}?version=${first.pipeline.version}`);
  const steps: DagStep[] = (record.spec?.steps ?? []).map((step) => ({ id: step.id, uses: step.uses, dependsOn: step.dependsOn ?? [] }));
  // Steps the run knows but the spec does not (it cannot happen today): drawn unconnected rather than hidden.
  for (const id of Object.keys(first.steps)) if (!steps.some((step) => step.id === id)) steps.push({ id, uses: '', dependsOn: [] });

  let selected: string | undefined;
  let latest = first;
  const header = h('div', { class: 'run-header' });
  const detail = h('div', { class: 'detail' }, h('p', { class: 'hint' }, 'Click a step to see its attempts, error and outputs.'));
  const dag = drawDag(steps, (stepId) => {
    selected = stepId;
    render(latest);
  });
  const render = (run: RunView) => {
    latest = run;
    const done = Object.values(run.steps).filter((step) => !['pending', 'running'].includes(step.state)).length;
    header.replaceChildren();
    append(header, [
      h('h1', {}, `Run ${run.runId} `, h('span', { id: 'run-state' }, badge(run.state))),
      h('p', {}, `Pipeline ${run.pipeline.name} v${run.pipeline.version} · ${done}/${steps.length} steps done · ${seconds(run.startedAt, run.endedAt)}`),
      run.params && Object.keys(run.params).length ? h('details', {}, h('summary', {}, 'Parameters'), pre(run.params)) : null,
    ]);
    for (const step of steps) dag.setState(step.id, run.steps[step.id]?.state ?? 'pending', step.id === selected);
    if (selected) detail.replaceChildren(stepDetail(selected, run.steps[selected]));
  };
  main.replaceChildren(
    h('p', { class: 'crumbs' }, h('a', { href: '#/pipelines' }, 'Pipelines'), ' / ', h('a', { href: `#/pipelines/${enc(first.pipeline.name)}` }, first.pipeline.name), ' / ', runId),
    header,
    h('div', { class: 'run-body' }, h('div', { class: 'dag-box' }, dag.svg), detail),
    h('p', { class: 'legend' }, ...['pending', 'running', 'succeeded', 'failed', 'cached', 'skipped', 'upstream_failed'].map((state) => badge(state))),
  );
  render(first);
  if (endedRunStates.has(first.state)) return;
  poll(async () => {
    const run = await getJson<RunView>(`runs/${enc(runId)}`);
    render(run);
    return !endedRunStates.has(run.state);
  }, 1_000);
};

