import { describe, expect, it } from 'vitest';

import { MAX_ROUTED_HOPS, RoutedTracker } from '../../src/cli/routed-tracker.js';
import { formatRoutedEvent } from '../../src/cli/routed-format.js';
import { createPalette } from '../../src/cli/terminal-style.js';

const CONV = 'conv-r1';
const T1 = '11111111-1111-4111-8111-111111111111';
const T2 = '22222222-2222-4222-8222-222222222222';
const T3 = '33333333-3333-4333-8333-333333333333';

const msg = (topic: string, body: unknown, retain = false) => ({
  topic,
  payload: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
  retain,
});
const progress = (
  agent: string,
  taskId: string,
  event: string,
  data: Record<string, unknown> = {},
  conv = CONV,
) =>
  msg(`/control/agents/${agent}/progress`, {
    agent_id: agent,
    task_id: taskId,
    conversation_id: conv,
    timestamp: '2026-01-01T00:00:00Z',
    event,
    data,
  });
const decision = (agent: string, taskId: string, data: Record<string, unknown>) =>
  progress(agent, taskId, 'routing_decision', {
    from: agent,
    router: 'gatekeeper',
    duration_ms: 12,
    ...data,
  });
const response = (agent: string, taskId: string, text: string, conv = CONV) =>
  msg(`/conversations/${conv}/${agent}`, { task_id: taskId, response: text });

describe('RoutedTracker', () => {
  it('follows research → write → edit: hops by task id, each decision, the final response once', () => {
    const t = new RoutedTracker(CONV, T1, 'researcher');
    expect(t.handle(progress('researcher', T1, 'task_started'))).toEqual([
      { type: 'started', hop: 1, agent: 'researcher' },
    ]);
    expect(
      t.handle(
        decision('researcher', T1, { outcome: 'forward', to: 'writer', reason: 'draft', task_id: T2 }),
      ),
    ).toEqual([
      {
        type: 'decision',
        hop: 1,
        agent: 'researcher',
        outcome: 'forward',
        to: 'writer',
        reason: 'draft',
        router: 'gatekeeper',
        durationMs: 12,
        code: undefined,
      },
    ]);
    expect(t.handle(progress('writer', T2, 'task_started'))).toEqual([
      { type: 'started', hop: 2, agent: 'writer' },
    ]);
    // A third hop the decision did not announce (no task_id in its data) still gets the next number.
    t.handle(decision('writer', T2, { outcome: 'forward', to: 'editor' }));
    expect(t.handle(progress('editor', T3, 'task_started'))).toEqual([
      { type: 'started', hop: 3, agent: 'editor' },
    ]);
    expect(t.handle(decision('editor', T3, { outcome: 'complete', to: null }))).toMatchObject([
      { type: 'decision', hop: 3, outcome: 'complete', to: undefined },
    ]);
    const final = t.handle(response('editor', T3, 'the article'));
    expect(final).toEqual([
      {
        type: 'final',
        hop: 3,
        outcome: {
          kind: 'response',
          agent: 'editor',
          text: 'the article',
          raw: JSON.stringify({ task_id: T3, response: 'the article' }),
        },
      },
    ]);
    expect(t.outcome).toMatchObject({ kind: 'response', agent: 'editor' });
    expect(t.handle(response('editor', T3, 'again'))).toEqual([]);
  });

  it('a response from a hop that decided to forward is intermediate, not final', () => {
    const t = new RoutedTracker(CONV, T1, 'researcher');
    t.handle(decision('researcher', T1, { outcome: 'forward', to: 'writer', task_id: T2 }));
    expect(t.handle(response('researcher', T1, 'notes'))).toEqual([
      { type: 'intermediate', hop: 1, agent: 'researcher', text: 'notes' },
    ]);
    expect(t.outcome).toBeUndefined();
    expect(t.handle(response('writer', T2, 'done'))).toMatchObject([{ type: 'final', hop: 2 }]);
  });

  it('a response without any decision seen (no routing, no progress) is final; an error message is final', () => {
    expect(new RoutedTracker(CONV, T1, 'a').handle(response('a', T1, 'plain'))).toMatchObject([
      { type: 'final', outcome: { kind: 'response', text: 'plain' } },
    ]);
    const t = new RoutedTracker(CONV, T1, 'a');
    t.handle(decision('a', T1, { outcome: 'error', code: 'AGENT_ERR_ROUTER_FAILED' }));
    const e = t.handle(
      msg(`/conversations/${CONV}/a`, { task_id: T1, error: { code: 'llm_error', message: 'no' } }),
    );
    expect(e).toMatchObject([
      { type: 'final', outcome: { kind: 'error', agent: 'a', code: 'llm_error', message: 'no' } },
    ]);
  });

  it('ignores other conversations, retained messages, junk, task ids reused by another agent', () => {
    const t = new RoutedTracker(CONV, T1, 'a');
    expect(t.handle(response('a', T1, 'x', 'conv-other'))).toEqual([]);
    expect(t.handle(progress('a', T1, 'task_started', {}, 'conv-other'))).toEqual([]);
    expect(t.handle(msg(`/conversations/${CONV}/a`, { task_id: T1, response: 'old' }, true))).toEqual([]);
    expect(t.handle(msg(`/conversations/${CONV}/a`, 'not json'))).toEqual([]);
    expect(t.handle(msg(`/conversations/${CONV}/a`, [1, 2]))).toEqual([]);
    expect(t.handle(msg(`/conversations/${CONV}/a`, { response: 'no task id' }))).toEqual([]);
    expect(
      t.handle(msg(`/conversations/${CONV}/a`, { task_id: 'x'.repeat(65), response: 'long id' })),
    ).toEqual([]);
    expect(t.handle(msg('/elsewhere', { task_id: T1, response: 'x' }))).toEqual([]);
    // T1 is a's task: a message about it from b is not trusted.
    expect(t.handle(response('b', T1, 'forged'))).toEqual([]);
    // A progress event whose agent_id is not its topic's agent.
    const spoof = msg('/control/agents/a/progress', {
      agent_id: 'b',
      task_id: T1,
      conversation_id: CONV,
      event: 'task_started',
      data: {},
    });
    expect(t.handle(spoof)).toEqual([]);
    expect(t.outcome).toBeUndefined();
  });

  it(`stops numbering new hops after ${MAX_ROUTED_HOPS}`, () => {
    const t = new RoutedTracker(CONV, T1, 'a');
    for (let i = 1; i < MAX_ROUTED_HOPS; i++) t.handle(progress('a', `task-${i}`, 'task_started'));
    expect(t.last().hop).toBe(MAX_ROUTED_HOPS);
    expect(t.handle(progress('a', 'task-over', 'task_started'))).toEqual([]);
    expect(t.handle(response('a', 'task-over', 'x'))).toEqual([]);
  });
});

describe('formatRoutedEvent', () => {
  const p = createPalette(false);
  it('prints hops, decisions and intermediate responses; control characters never reach the terminal', () => {
    expect(formatRoutedEvent({ type: 'started', hop: 1, agent: 'researcher' }, p)).toBe(
      '[1] researcher  started',
    );
    expect(
      formatRoutedEvent(
        {
          type: 'decision',
          hop: 1,
          agent: 'researcher',
          outcome: 'forward',
          to: 'writer',
          router: 'gatekeeper',
          durationMs: 12,
          reason: 'needs\na draft',
        },
        p,
      ),
    ).toBe('[1] researcher  → writer · gatekeeper 12 ms · "needs a draft"');
    expect(formatRoutedEvent({ type: 'decision', hop: 3, agent: 'editor', outcome: 'complete' }, p)).toBe(
      '[3] editor  complete',
    );
    expect(
      formatRoutedEvent(
        {
          type: 'decision',
          hop: 2,
          agent: 'w',
          outcome: 'error',
          code: 'AGENT_ERR_ROUTER_FAILED',
          reason: 'x\u001b[2Jy',
        },
        p,
      ),
    ).toBe('[2] w  router error · AGENT_ERR_ROUTER_FAILED · "x?[2Jy"');
    expect(formatRoutedEvent({ type: 'intermediate', hop: 1, agent: 'a', text: 'notes' }, p)).toBe(
      '[1] a  intermediate response: notes',
    );
    expect(
      formatRoutedEvent(
        { type: 'final', hop: 1, outcome: { kind: 'response', agent: 'a', text: '', raw: '' } },
        p,
      ),
    ).toBeUndefined();
  });
});
