import type { RunDocument } from './runs.js';

/** The host log's line for a finished run, manual or scheduled alike, so an operator sees outcomes without polling. */
export function runOutcomeLine(run: Pick<RunDocument, 'runId' | 'pipeline' | 'version' | 'trigger' | 'state' | 'startedAt' | 'createdAt' | 'endedAt'>): string {
  const from = Date.parse(run.startedAt ?? run.createdAt);
  const to = run.endedAt ? Date.parse(run.endedAt) : NaN;
  const took = Number.isFinite(to - from) ? ` in ${((to - from) / 1000).toFixed(1)} s` : '';
  return `run ${run.runId} of ${run.pipeline} v${run.version} (${run.trigger}) ${run.state}${took}`;
}
