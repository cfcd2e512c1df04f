import { describe, expect, it } from 'vitest';

import { envelopeV2Schema, isUuid, type EnvelopeV2 } from '../../../src/core/protocol/envelope.js';
import {
  MAX_ACTION_CHARS,
  MAX_HISTORY_ENTRIES,
  routedForward,
  routedHopId,
  type RoutedHop,
} from '../../../src/core/routing/forward-envelope.js';

const TASK = '11111111-1111-4111-8111-111111111111';
const NOW = new Date('2026-01-02T03:04:05.678Z');

function v2(extra: Partial<EnvelopeV2> = {}): EnvelopeV2 {
  return envelopeV2Schema.parse({
    task_id: TASK,
    conversation_id: 'conv-1',
    topic: '/control/agents/researcher/input',
    instruction: 'Research the topic',
    input: 'raw',
    version: '2.0',
    ...extra,
  });
}

const hop = (extra: Partial<RoutedHop> = {}): RoutedHop => ({
  self: 'researcher',
  to: 'writer',
  instruction: 'Write it up',
  output: 'the findings',
  reason: 'writing is next',
  maxBytes: 262_144,
  now: () => NOW,
  ...extra,
});

const parse = (payload: string): EnvelopeV2 => envelopeV2Schema.parse(JSON.parse(payload));

describe('routedHopId', () => {
  it('the same routed task forwards under the same id (a redelivery is a duplicate the next agent drops)', () => {
    expect(routedForward(v2(), hop()).taskId).toBe(routedForward(v2(), hop({ to: 'editor' })).taskId);
    expect(routedHopId(TASK)).toBe(routedHopId(TASK));
  });

  it('another routed task (a revisit, another conversation) forwards under another id', () => {
    const other = '22222222-2222-4222-8222-222222222222';
    expect(routedHopId(other)).not.toBe(routedHopId(TASK));
    expect(routedForward(v2({ task_id: other }), hop()).taskId).toBe(routedHopId(other));
  });

  it('is a UUID in the version 5 layout, never the routed task id', () => {
    const id = routedHopId(TASK);
    expect(isUuid(id)).toBe(true);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(id).not.toBe(TASK);
  });
});

describe('routedForward: the first routed hop', () => {
  it('is a new v2 task on the chosen agent canonical input topic, same conversation, output as input', () => {
    const fwd = routedForward(v2(), hop());
    const env = parse(fwd.payload);
    expect(fwd.topic).toBe('/control/agents/writer/input');
    expect(isUuid(fwd.taskId)).toBe(true);
    expect(fwd.taskId).not.toBe(TASK);
    expect(env).toMatchObject({
      task_id: fwd.taskId,
      conversation_id: 'conv-1',
      topic: '/control/agents/writer/input',
      instruction: 'Write it up',
      input: 'the findings',
      version: '2.0',
    });
    expect(env.next ?? undefined).toBeUndefined();
  });

  it('sets original_query from the first instruction and records this step and the trace', () => {
    const env = parse(routedForward(v2(), hop()).payload);
    const ts = NOW.toISOString();
    expect(env.context).toEqual({
      original_query: 'Research the topic',
      steps_completed: [{ agent_id: 'researcher', action: 'Research the topic', timestamp: ts }],
      iteration_count: 1,
    });
    expect(env.routing_trace).toEqual([
      {
        from_agent: 'researcher',
        to_agent: 'writer',
        reason: 'writing is next',
        timestamp: ts,
        step_number: 1,
      },
    ]);
  });
});

describe('routedForward: later hops', () => {
  const earlier = {
    context: {
      original_query: 'the question',
      steps_completed: [{ agent_id: 'a', action: 'first', timestamp: '2026-01-01T00:00:00+00:00' }],
      iteration_count: 4,
    },
    routing_trace: [
      {
        from_agent: 'a',
        to_agent: 'researcher',
        reason: 'r',
        timestamp: '2026-01-01T00:00:00Z',
        step_number: 4,
      },
    ],
  };

  it('keeps original_query, appends the step and the trace, counts the iteration', () => {
    const env = parse(routedForward(v2(earlier), hop()).payload);
    expect(env.context?.original_query).toBe('the question');
    expect(env.context?.steps_completed.map((s) => s.agent_id)).toEqual(['a', 'researcher']);
    expect(env.context?.iteration_count).toBe(5);
    expect(env.routing_trace?.map((s) => [s.from_agent, s.to_agent, s.step_number])).toEqual([
      ['a', 'researcher', 4],
      ['researcher', 'writer', 5],
    ]);
  });

  it('cuts the action to the first 200 characters of the instruction', () => {
    const env = parse(routedForward(v2({ instruction: 'x'.repeat(5000) }), hop()).payload);
    expect(env.context?.steps_completed[0]?.action).toBe('x'.repeat(MAX_ACTION_CHARS));
  });

  it('keeps only the newest 100 steps and trace entries', () => {
    const steps = Array.from({ length: 150 }, (_, i) => ({
      agent_id: `a${i}`,
      action: 'x',
      timestamp: '2026-01-01T00:00:00Z',
    }));
    const trace = steps.map((s, i) => ({
      from_agent: s.agent_id,
      to_agent: 'b',
      reason: '',
      timestamp: s.timestamp,
      step_number: i + 1,
    }));
    const env = parse(
      routedForward(
        v2({
          context: { original_query: 'q', steps_completed: steps, iteration_count: 150 },
          routing_trace: trace,
        }),
        hop(),
      ).payload,
    );
    expect(env.context?.steps_completed).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(env.context?.steps_completed.at(0)?.agent_id).toBe('a51');
    expect(env.context?.steps_completed.at(-1)?.agent_id).toBe('researcher');
    expect(env.routing_trace).toHaveLength(MAX_HISTORY_ENTRIES);
    expect(env.routing_trace?.at(-1)?.step_number).toBe(151);
  });
});

describe('routedForward: max_message_bytes', () => {
  it('cuts the output with the truncation marker so the payload fits', () => {
    const fwd = routedForward(v2(), hop({ output: 'é'.repeat(10_000), maxBytes: 4096 }));
    expect(Buffer.byteLength(fwd.payload)).toBeLessThanOrEqual(4096);
    const env = parse(fwd.payload);
    expect(env.input).toMatch(/^é+\n…\[truncated by agent2389/);
    expect(env.context?.iteration_count).toBe(1);
  });

  it('sheds the oldest history and then the original query when they leave no room for the output', () => {
    const steps = Array.from({ length: 100 }, (_, i) => ({
      agent_id: `agent-${i}`,
      action: 'y'.repeat(150),
      timestamp: '2026-01-01T00:00:00Z',
    }));
    const fwd = routedForward(
      v2({
        context: { original_query: 'q'.repeat(20_000), steps_completed: steps, iteration_count: 2 },
      }),
      hop({ output: 'out', maxBytes: 8192 }),
    );
    expect(Buffer.byteLength(fwd.payload)).toBeLessThanOrEqual(8192);
    const env = parse(fwd.payload);
    expect(env.input).toBe('out');
    expect(env.context?.steps_completed.at(-1)?.agent_id).toBe('researcher');
    expect(env.context?.steps_completed.length).toBeLessThan(100);
    expect(env.context?.iteration_count).toBe(3);
    expect(env.context?.original_query.startsWith('qqqq')).toBe(true);
  });
});
