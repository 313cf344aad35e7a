import { expect } from 'vitest';
import { arborClient } from '../../client/arbor-client.js';
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

/** The pipeline routes of a host; `functionKey` for a host started with ARBOR_FUNCTION_KEY. */
export function pipelinesApi(host: HostProcess, functionKey?: string) {
  const api = (path: string) => `${host.url}/api/${path}`;
  const keyed: Record<string, string> = functionKey ? { 'x-functions-key': functionKey } : {};
  // Starting and reading runs go through the typed client (client/), as a caller would.
  const client = arborClient({ baseUrl: host.url, ...(functionKey ? { functionKey } : {}) });
  const run = async (runId: string): Promise<RunView> => {
    const answer = await client.call('get-run', { params: { id: runId } });
    return answer.body as unknown as RunView;
  };
  return {
    async register(spec: unknown): Promise<Response> {
      return fetch(api('pipelines'), { method: 'POST', headers: { 'content-type': 'application/json', ...keyed }, body: JSON.stringify(spec) });
    },
    async start(name: string, params: Record<string, unknown> = {}): Promise<string> {
      const answer = await client.call('start-run', { params: { name }, body: { params } });
      expect(answer.status, JSON.stringify(answer.body)).toBe(202);
      if (answer.status !== 202) throw new Error(`start-run answered ${answer.status}`);
      return answer.body.runId;
    },
    run,
    async finished(runId: string, timeoutMs = 30_000): Promise<RunView> {
      return eventually(async () => {
        const found = await run(runId);
        return ['succeeded', 'failed', 'cancelled'].includes(found.state) ? found : undefined;
      }, timeoutMs, 200);
    },
    post: (path: string) => fetch(api(path), { method: 'POST', headers: keyed }),
    get: (path: string) => fetch(api(path), { headers: keyed }),
  };
}
