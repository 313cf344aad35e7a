import { afterEach, describe, expect, it } from 'vitest';
import { OwnEventHold, type HeldEvents } from '../../../local/durable/dispatch/own-event-hold.js';
import { EventType, event } from '../../../local/durable/history.js';

const raised = (name: string) => event(EventType.EventRaised, { Name: name, Input: '1' }, new Date());

describe('OwnEventHold', () => {
  const released: HeldEvents[] = [];
  let hold = new OwnEventHold(40, (held) => released.push(held));
  afterEach(() => {
    hold.clear();
    released.length = 0;
    hold = new OwnEventHold(40, (held) => released.push(held));
  });

  it("keeps an activity's events for its own execution and hands them over, in order, when it closes", () => {
    const token = hold.open('run-1', 2);
    expect(hold.hold(token, 'run-1', 2, raised('a'))).toBe(true);
    expect(hold.hold(token, 'run-1', 2, raised('b'))).toBe(true);
    expect(hold.close(token).map((e) => e.Name)).toEqual(['a', 'b']);
    expect(hold.size).toBe(0);
    // Closed: nothing more is held, and closing again hands over nothing.
    expect(hold.hold(token, 'run-1', 2, raised('c'))).toBe(false);
    expect(hold.close(token)).toEqual([]);
  });

  it('refuses events without a token, with an unknown one, or for another instance or execution', () => {
    const token = hold.open('run-1', 2);
    expect(hold.hold(undefined, 'run-1', 2, raised('a'))).toBe(false);
    expect(hold.hold(null, 'run-1', 2, raised('a'))).toBe(false);
    expect(hold.hold('', 'run-1', 2, raised('a'))).toBe(false);
    expect(hold.hold(`${token}x`, 'run-1', 2, raised('a'))).toBe(false);
    expect(hold.hold(token, 'run-2', 2, raised('a'))).toBe(false);
    expect(hold.hold(token, 'run-1', 3, raised('a'))).toBe(false);
    expect(hold.close(token)).toEqual([]);
  });

  it('gives each invocation its own unguessable token', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => hold.open('run-1', 1)));
    expect(tokens.size).toBe(100);
    for (const token of tokens) expect(token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('releases what it holds after the limit, so an activity waiting on its orchestrator is not dead-locked', async () => {
    const token = hold.open('run-1', 1);
    hold.hold(token, 'run-1', 1, raised('a'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(released).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(released.map((r) => [r.instanceId, r.execution, r.events.map((e) => e.Name)])).toEqual([['run-1', 1, ['a']]]);
    // Released events are not handed over again; a later event starts a new hold.
    hold.hold(token, 'run-1', 1, raised('b'));
    expect(hold.close(token).map((e) => e.Name)).toEqual(['b']);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(released).toHaveLength(1);
  });

  it('drops every hold and its timer when cleared (a stopping host re-runs the activities)', async () => {
    const token = hold.open('run-1', 1);
    hold.hold(token, 'run-1', 1, raised('a'));
    hold.clear();
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(released).toEqual([]);
    expect(hold.close(token)).toEqual([]);
  });
});
