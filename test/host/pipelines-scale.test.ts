import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHostProcess, uniqueName, type HostProcess } from '../support/host-process.js';
import { pipelinesApi } from '../support/pipelines-api.js';
import { signalsPerExecution } from '../../shared/pipelines/run-orchestrator.js';

/** A deterministic random DAG: each step depends on up to two earlier steps. */
function randomDag(size: number, seed: number): Array<{ id: string; uses: string; dependsOn: string[] }> {
  let state = seed;
  const next = () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  return Array.from({ length: size }, (_, i) => {
    const dependsOn = new Set<string>();
    for (let k = 0; k < 2 && i > 0; k++) if (next() < 0.8) dependsOn.add(`s${Math.floor(next() * i)}`);
    return { id: `s${i}`, uses: 'noop', dependsOn: [...dependsOn] };
  });
}

describe('a 2,000-step DAG', () => {
  let host: HostProcess;

  beforeAll(async () => {
    host = await startHostProcess({ ARBOR_DURABLE_MAX_ACTIVITIES: '32' });
  });
  afterAll(async () => {
    await host.stop();
  });

  it('completes, every step succeeded, with the run history bounded by continueAsNew', async () => {
    const api = pipelinesApi(host);
    const name = uniqueName('big');
    const registered = await api.register({ name, maxParallel: 64, steps: randomDag(2_000, 7) });
    expect(registered.status).toBe(201);
    const runId = await api.start(name);
    const run = await api.finished(runId, 240_000);
    expect(run.state).toBe('succeeded');
    const states = Object.values(run.steps).map((s) => s.state);
    expect(states).toHaveLength(2_000);
    expect(states.every((s) => s === 'succeeded')).toBe(true);
    const status = (await (await fetch(`${host.url}/runtime/webhooks/durabletask/instances/${runId}?showHistory=true`, { headers: { 'x-functions-key': host.systemKey } })).json()) as {
      history: unknown[];
      input: { carry?: { execution: number } };
    };
    // The last execution's history holds at most one window of signals, not 2,000 of them.
    expect(status.input.carry?.execution ?? 1).toBeGreaterThan(5);
    expect(status.history.length).toBeLessThan(signalsPerExecution * 4 + 100);
  }, 300_000);
});
