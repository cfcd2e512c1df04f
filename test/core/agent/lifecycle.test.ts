// The lifecycle table: every listed transition works, every other one is refused with its code.
import { describe, expect, it } from 'vitest';

import type { AgentState } from '../../../src/core/agent/events.js';
import {
  AGENT_STATES,
  Lifecycle,
  SERVING_STATES,
  TRANSITIONS,
  canTransition,
} from '../../../src/core/agent/lifecycle.js';
import { thrown } from '../../helpers/thrown.js';

/** A shortest path of allowed transitions from `idle` to `target` (breadth first over the table). */
function pathTo(target: AgentState): AgentState[] {
  const paths = new Map<AgentState, AgentState[]>([['idle', []]]);
  const queue: AgentState[] = ['idle'];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const next of TRANSITIONS[s]) {
      if (paths.has(next)) continue;
      paths.set(next, [...paths.get(s)!, next]);
      queue.push(next);
    }
  }
  const path = paths.get(target);
  if (!path) throw new Error(`${target} is not reachable from idle`);
  return path;
}

/** A Lifecycle brought to `state` through allowed transitions only. */
function at(state: AgentState): Lifecycle {
  const l = new Lifecycle();
  for (const s of pathTo(state)) l.to(s);
  expect(l.state).toBe(state);
  return l;
}

describe('agent lifecycle', () => {
  it('lists every state of AgentState, each reachable from idle; stopped and failed are final', () => {
    expect(AGENT_STATES.sort()).toEqual(
      ['idle', 'starting', 'running', 'reloading', 'reconnecting', 'draining', 'stopped', 'failed'].sort(),
    );
    for (const s of AGENT_STATES) expect(() => pathTo(s)).not.toThrow();
    expect(TRANSITIONS.stopped).toEqual([]);
    expect(TRANSITIONS.failed).toEqual([]);
  });

  it('the documented path: idle → starting → running ⇄ reloading ⇄ reconnecting → draining → stopped', () => {
    const seen: Array<[AgentState, AgentState]> = [];
    const l = new Lifecycle((from, to) => seen.push([from, to]));
    const path: AgentState[] = ['starting', 'running', 'reloading', 'reconnecting', 'reloading', 'running'];
    for (const s of [...path, 'draining', 'stopped'] as const) l.to(s);
    expect(l.state).toBe('stopped');
    expect(seen.map(([, to]) => to)).toEqual([...path, 'draining', 'stopped']);
    expect(seen[0]).toEqual(['idle', 'starting']);
  });

  it('every allowed transition works from its state', () => {
    let count = 0;
    for (const from of AGENT_STATES)
      for (const to of TRANSITIONS[from]) {
        const l = at(from);
        l.to(to);
        expect(l.state).toBe(to);
        count++;
      }
    expect(count).toBe(Object.values(TRANSITIONS).flat().length);
  });

  it('every transition not in the table throws AGENT_ERR_LIFECYCLE_TRANSITION and leaves the state', () => {
    let refused = 0;
    for (const from of AGENT_STATES)
      for (const to of AGENT_STATES) {
        if (canTransition(from, to)) continue;
        const l = at(from);
        const err = thrown(() => l.to(to));
        expect(err).toMatchObject({ code: 'AGENT_ERR_LIFECYCLE_TRANSITION', data: { from, to } });
        expect(l.state).toBe(from);
        refused++;
      }
    expect(refused).toBeGreaterThan(40);
  });

  it('refuses the moves a shutdown or a reload must not make', () => {
    for (const [from, to] of [
      ['idle', 'running'], // no serving without a startup
      ['running', 'stopped'], // no stop without draining
      ['reconnecting', 'running'], // a reconnect ends its reload first
      ['draining', 'running'], // no way back from a shutdown
      ['stopped', 'starting'], // an agent starts once
      ['failed', 'starting'],
    ] as Array<[AgentState, AgentState]>)
      expect(canTransition(from, to)).toBe(false);
  });

  it('serves (takes tasks, ready) while running or reloading only', () => {
    expect([...SERVING_STATES].sort()).toEqual(['reloading', 'running']);
  });
});
