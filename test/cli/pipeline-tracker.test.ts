import { describe, expect, it } from 'vitest';

import { PipelineTracker, type HopEvent } from '../../src/cli/pipeline-tracker.js';

const TASK = '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35';
const OTHER = '00000000-0000-4000-8000-000000000000';
const AGENTS = ['researcher', 'writer', 'editor'];

const msg = (topic: string, payload: unknown, retain = false) => ({
  topic,
  payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  retain,
});
const progress = (agent: string, event: string, data: Record<string, unknown> = {}, task = TASK) =>
  msg(`/control/agents/${agent}/progress`, {
    agent_id: agent,
    task_id: task,
    conversation_id: 'c',
    event,
    data,
  });
const input = (agent: string, task = TASK) =>
  msg(`/control/agents/${agent}/input`, {
    task_id: task,
    conversation_id: 'c',
    topic: `/control/agents/${agent}/input`,
  });
const response = (agent: string, text: string, task = TASK) =>
  msg(`/conversations/c/${agent}`, { task_id: task, response: text });
const error = (agent: string, code: string) =>
  msg(`/conversations/c/${agent}`, { task_id: TASK, error: { code, message: `${code} happened` } });

function tracker(): PipelineTracker {
  const t = new PipelineTracker(TASK, AGENTS);
  t.sent(1000);
  return t;
}

describe('PipelineTracker with progress events', () => {
  it('follows each hop: started, tool events, forwarded (agent durations), completed, then the final response', () => {
    const t = tracker();
    const events: HopEvent[] = [
      ...t.handle(
        progress('researcher', 'task_started', { generation: 1, next: '/control/agents/writer/input' }),
        1010,
      ),
      ...t.handle(progress('researcher', 'llm_request', { iteration: 1 }), 1011),
      ...t.handle(progress('researcher', 'tool_call', { tool: 'web_search', call_id: 'x' }), 1020),
      ...t.handle(progress('researcher', 'tool_result', { tool: 'web_search', duration_ms: 30 }), 1050),
      ...t.handle(
        progress('researcher', 'task_forwarded', { to: '/control/agents/writer/input', duration_ms: 60 }),
        1070,
      ),
      ...t.handle(input('writer'), 1071),
      ...t.handle(progress('writer', 'task_started', { generation: 1 }), 1072),
      ...t.handle(
        progress('writer', 'task_forwarded', { to: '/control/agents/editor/input', duration_ms: 20 }),
        1092,
      ),
      ...t.handle(progress('editor', 'task_started', {}), 1100),
      ...t.handle(
        progress('editor', 'task_completed', { duration_ms: 15, llm_calls: 1, tool_calls: 0 }),
        1115,
      ),
      ...t.handle(response('editor', 'final text'), 1116),
    ];
    expect(events).toEqual([
      { type: 'started', hop: 0 },
      { type: 'activity', hop: 0, event: 'tool_call', data: { tool: 'web_search', call_id: 'x' } },
      { type: 'activity', hop: 0, event: 'tool_result', data: { tool: 'web_search', duration_ms: 30 } },
      { type: 'forwarded', hop: 0, to: 'writer', durationMs: 60, measured: false },
      { type: 'received', hop: 1 },
      { type: 'started', hop: 1 },
      { type: 'forwarded', hop: 1, to: 'editor', durationMs: 20, measured: false },
      { type: 'started', hop: 2 },
      { type: 'completed', hop: 2, durationMs: 15, measured: false, llmCalls: 1, toolCalls: 0 },
      {
        type: 'final',
        outcome: {
          kind: 'response',
          agent: 'editor',
          text: 'final text',
          raw: JSON.stringify({ task_id: TASK, response: 'final text' }),
        },
      },
    ]);
    expect(t.outcome?.kind).toBe('response');
    expect(t.pending()).toBeUndefined();
  });

  it('matches hops by task_id and agent: other tasks, unknown agents, retained and bad payloads are ignored', () => {
    const t = tracker();
    expect(t.handle(progress('researcher', 'task_started', {}, OTHER), 1001)).toEqual([]);
    expect(t.handle(progress('stranger', 'task_started'), 1001)).toEqual([]);
    expect(t.handle(input('writer', OTHER), 1001)).toEqual([]);
    expect(t.handle({ ...input('writer'), retain: true }, 1001)).toEqual([]);
    expect(t.handle(msg('/control/agents/writer/progress', '{oops'), 1001)).toEqual([]);
    expect(t.handle(response('editor', 'not ours', OTHER), 1001)).toEqual([]);
    expect(t.handle(input('researcher'), 1001)).toEqual([]); // our own publish
    expect(t.pending()).toEqual({ hop: 0, agent: 'researcher', state: 'waiting', since: 1000 });
  });

  it('a task_failed marks the hop; the error message ends the pipeline', () => {
    const t = tracker();
    expect(
      t.handle(
        progress('researcher', 'task_failed', { code: 'llm_error', message: 'm', duration_ms: 9 }),
        1010,
      ),
    ).toEqual([{ type: 'failed', hop: 0, code: 'llm_error', message: 'm', durationMs: 9 }]);
    expect(t.outcome).toBeUndefined();
    const events = t.handle(error('researcher', 'llm_error'), 1011);
    expect(events).toEqual([
      {
        type: 'final',
        outcome: expect.objectContaining({
          kind: 'error',
          agent: 'researcher',
          code: 'llm_error',
        }) as unknown,
      },
    ]);
    expect(t.handle(response('editor', 'late'), 1012)).toEqual([]);
  });
});

describe('PipelineTracker without progress events', () => {
  it('sees forwards on the input topics and the end on the conversation topic, with times measured here', () => {
    const t = tracker();
    expect(t.handle(input('writer'), 1100)).toEqual([
      { type: 'forwarded', hop: 0, to: 'writer', durationMs: 100, measured: true },
      { type: 'received', hop: 1 },
    ]);
    expect(t.handle(input('editor'), 1150)).toEqual([
      { type: 'forwarded', hop: 1, to: 'editor', durationMs: 50, measured: true },
      { type: 'received', hop: 2 },
    ]);
    expect(t.pending()).toEqual({ hop: 2, agent: 'editor', state: 'received', since: 1150 });
    const events = t.handle(response('editor', 'done'), 1175);
    expect(events.slice(0, 1)).toEqual([
      {
        type: 'completed',
        hop: 2,
        durationMs: 25,
        measured: true,
        llmCalls: undefined,
        toolCalls: undefined,
      },
    ]);
    expect(events[1]).toMatchObject({ type: 'final', outcome: { kind: 'response', text: 'done' } });
  });

  it('a final response alone still ends it, every hop caught up', () => {
    const t = tracker();
    const events = t.handle(response('editor', 'done'), 1300);
    expect(events.map((e) => e.type)).toEqual(['forwarded', 'forwarded', 'completed', 'final']);
    // When each hop forwarded is unknown: no times rather than wrong ones.
    expect(events.slice(0, 3)).toEqual([
      { type: 'forwarded', hop: 0, to: 'writer', durationMs: undefined, measured: true },
      { type: 'forwarded', hop: 1, to: 'editor', durationMs: undefined, measured: true },
      expect.objectContaining({ type: 'completed', hop: 2, durationMs: undefined }),
    ]);
  });

  it('an error from a middle hop ends it with exit-worthy details', () => {
    const t = tracker();
    t.handle(input('writer'), 1100);
    const events = t.handle(error('writer', 'tool_execution_failed'), 1200);
    expect(events).toEqual([
      { type: 'failed', hop: 1, code: 'tool_execution_failed', message: 'tool_execution_failed happened' },
      {
        type: 'final',
        outcome: expect.objectContaining({
          kind: 'error',
          agent: 'writer',
          code: 'tool_execution_failed',
        }) as unknown,
      },
    ]);
  });

  it('an intermediate response (publish_intermediate) is shown, not taken as the end', () => {
    const t = tracker();
    expect(t.handle(response('researcher', 'notes'), 1050)).toEqual([
      { type: 'intermediate', hop: 0, text: 'notes' },
    ]);
    expect(t.outcome).toBeUndefined();
  });

  it('a task_started dates the forward before it; a later event of a hop does not', () => {
    const t = tracker();
    expect(t.handle(progress('writer', 'task_started'), 1080)).toEqual([
      { type: 'forwarded', hop: 0, to: 'writer', durationMs: 80, measured: true },
      { type: 'started', hop: 1 },
    ]);
    expect(t.handle(progress('editor', 'tool_call', { tool: 'x' }), 1200)[0]).toEqual({
      type: 'forwarded',
      hop: 1,
      to: 'editor',
      durationMs: undefined,
      measured: true,
    });
  });

  it('events arriving out of order do not repeat or go back', () => {
    const t = tracker();
    t.handle(progress('writer', 'task_started'), 1100); // before its input message
    expect(t.handle(input('writer'), 1101)).toEqual([]);
    expect(t.handle(progress('researcher', 'task_forwarded', { duration_ms: 90 }), 1102)).toEqual([]);
    expect(t.handle(progress('researcher', 'task_started'), 1103)).toEqual([]);
    expect(t.pending()).toMatchObject({ hop: 1, state: 'started' });
  });
});
