import { expect } from 'vitest';
import { eventually, type HostProcess } from './host-process.js';

export interface StepView {
  state: string;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  error?: string;
  outputs?: Record<string, unknown>;
  lineage: { read: unknown[]; wrote: unknown[] };
}

export interface RunView {
  runId: string;
  state: string;
  pipeline: { name: string; version: number };
  params: Record<string, unknown>;
  retryOf?: string;
  steps: Record<string, StepView>;
}

export function pipelinesApi(host: HostProcess) {
  const api = (path: string) => `${host.url}/api/${path}`;
  return {
    async register(spec: unknown): Promise<Response> {
      return fetch(api('pipelines'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spec) });
    },
    async start(name: string, params: Record<string, unknown> = {}): Promise<string> {
      const response = await fetch(api(`pipelines/${name}/runs`), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ params }),
      });
      expect(response.status, await response.clone().text()).toBe(202);
      return ((await response.json()) as { runId: string }).runId;
    },
    async run(runId: string): Promise<RunView> {
      return (await (await fetch(api(`runs/${runId}`))).json()) as RunView;
    },
    async finished(runId: string, timeoutMs = 30_000): Promise<RunView> {
      return eventually(async () => {
        const run = (await (await fetch(api(`runs/${runId}`))).json()) as RunView;
        return ['succeeded', 'failed', 'cancelled'].includes(run.state) ? run : undefined;
      }, timeoutMs, 200);
    },
    post: (path: string) => fetch(api(path), { method: 'POST' }),
    get: (path: string) => fetch(api(path)),
  };
}
