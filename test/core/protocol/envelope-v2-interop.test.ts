// §3.2: v2 envelopes in the forms the Rust implementation's serde structs emit (issue 17).
import { describe, expect, it } from 'vitest';

import { parseEnvelope, type TaskEnvelope } from '../../../src/core/protocol/envelope.js';

const TASK_ID = '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35';

function v2(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_id: TASK_ID,
    conversation_id: 'conv-7',
    topic: '/control/agents/writer/input',
    instruction: 'Summarise',
    input: { text: '...' },
    version: '2.0',
    ...fields,
  };
}

const step = { agent_id: 'researcher', action: 'researched', timestamp: '2024-01-01T12:00:00Z' };
const hop = {
  from_agent: 'researcher',
  to_agent: 'writer',
  reason: 'r',
  timestamp: '2024-01-01T12:00:00Z',
  step_number: 0,
};

function parsed(raw: Record<string, unknown>): TaskEnvelope {
  const r = parseEnvelope(raw);
  if (!r.ok) throw new Error(`expected a valid envelope: ${r.problems.join('; ')}`);
  return r.envelope;
}

function problems(raw: Record<string, unknown>): string[] {
  const r = parseEnvelope(raw);
  if (r.ok) throw new Error('expected an invalid envelope');
  return r.problems;
}

describe('§3.2: Rust v2 envelope interop', () => {
  it('"context": null and "routing_trace": null are absent', () => {
    const e = parsed(v2({ context: null, routing_trace: null }));
    expect(e.version).toBe('2.0');
    expect(e.version !== undefined && e.context).toBeUndefined();
    expect(e.version !== undefined && e.routing_trace).toBeUndefined();
  });

  it('a context without iteration_count means 0', () => {
    const e = parsed(v2({ context: { original_query: 'q', steps_completed: [step] } }));
    expect(e.version !== undefined && e.context).toEqual({
      original_query: 'q',
      steps_completed: [step],
      iteration_count: 0,
    });
  });

  it('the Rust serde vector (null routing_trace, context without iteration_count) parses', () => {
    const raw = JSON.parse(
      '{"task_id":"4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35","conversation_id":"conv-7",' +
        '"topic":"/control/agents/writer/input","instruction":"Write","input":{"q":"x"},"next":null,' +
        '"version":"2.0","context":{"original_query":"x","steps_completed":[]},"routing_trace":null}',
    ) as Record<string, unknown>;
    const e = parsed(raw);
    expect(e.version !== undefined && e.context?.iteration_count).toBe(0);
    expect(e.version !== undefined && e.routing_trace).toBeUndefined();
  });

  it('keeps an explicit iteration_count', () => {
    const e = parsed(v2({ context: { original_query: 'q', steps_completed: [], iteration_count: 3 } }));
    expect(e.version !== undefined && e.context?.iteration_count).toBe(3);
  });

  it.each([
    ['Z', '2024-01-01T12:00:00Z'],
    ['a numeric offset', '2024-01-01T12:00:00+00:00'],
    ['nanoseconds and an offset', '2024-01-01T12:00:00.123456789+00:00'],
    ['milliseconds and a non-zero offset', '2024-01-01T14:00:00.123+02:00'],
    ['a space for the T (RFC 3339 §5.6 note)', '2024-01-01 12:00:00.5Z'],
  ])('accepts step and routing-step timestamps with %s', (_name, timestamp) => {
    const context = { original_query: 'q', steps_completed: [{ ...step, timestamp }], iteration_count: 1 };
    const trace = [{ ...hop, timestamp, step_number: 1 }];
    const e = parsed(v2({ context, routing_trace: trace }));
    expect(e.version !== undefined && e.context?.steps_completed[0]?.timestamp).toBe(timestamp);
    expect(e.version !== undefined && e.routing_trace?.[0]?.timestamp).toBe(timestamp);
  });

  it('steps_completed is required in a context', () => {
    expect(problems(v2({ context: { original_query: 'q', iteration_count: 0 } }))).toEqual([
      expect.stringMatching(/^context\.steps_completed:/),
    ]);
    expect(problems(v2({ context: { original_query: 'q', steps_completed: null } }))).toEqual([
      expect.stringMatching(/^context\.steps_completed:/),
    ]);
  });

  it.each([
    ['original_query a number', { original_query: 1, steps_completed: [] }, 'context.original_query'],
    ['original_query absent', { steps_completed: [] }, 'context.original_query'],
    ['steps_completed an object', { original_query: 'q', steps_completed: {} }, 'context.steps_completed'],
    [
      'a step without agent_id',
      { original_query: 'q', steps_completed: [{ action: 'a', timestamp: 't' }] },
      'context.steps_completed.0.agent_id',
    ],
    [
      'a step with a numeric timestamp',
      { original_query: 'q', steps_completed: [{ ...step, timestamp: 1 }] },
      'context.steps_completed.0.timestamp',
    ],
    [
      'a step timestamp that is not a date-time',
      { original_query: 'q', steps_completed: [{ ...step, timestamp: 'yesterday' }] },
      'context.steps_completed.0.timestamp',
    ],
    [
      'a step timestamp without a zone',
      { original_query: 'q', steps_completed: [{ ...step, timestamp: '2024-01-01T12:00:00' }] },
      'context.steps_completed.0.timestamp',
    ],
    [
      'iteration_count a string',
      { original_query: 'q', steps_completed: [], iteration_count: '1' },
      'context.iteration_count',
    ],
    [
      'iteration_count null',
      { original_query: 'q', steps_completed: [], iteration_count: null },
      'context.iteration_count',
    ],
    [
      'iteration_count 1.5',
      { original_query: 'q', steps_completed: [], iteration_count: 1.5 },
      'context.iteration_count',
    ],
  ])('rejects a malformed context (%s)', (_name, context, path) => {
    expect(problems(v2({ context })).some((p) => p.startsWith(`${path}:`))).toBe(true);
  });

  it.each([
    ['a string context', 'x'],
    ['an array context', []],
    ['a numeric context', 0],
  ])('rejects %s', (_name, context) => {
    expect(problems(v2({ context }))).toEqual([expect.stringMatching(/^context:/)]);
  });

  it.each([
    ['-1', -1],
    ['1.5', 1.5],
    ['"1"', '1'],
    ['null', null],
  ])('rejects step_number %s (a non-negative integer)', (_name, stepNumber) => {
    expect(problems(v2({ routing_trace: [{ ...hop, step_number: stepNumber }] }))).toEqual([
      expect.stringMatching(/^routing_trace\.0\.step_number:/),
    ]);
  });

  it('accepts step_number 0 and large integers', () => {
    const trace = [hop, { ...hop, step_number: 4_294_967_295 }];
    expect(parsed(v2({ routing_trace: trace }))).toMatchObject({ routing_trace: trace });
  });

  it('rejects a routing-step timestamp that is not an RFC 3339 date-time', () => {
    expect(problems(v2({ routing_trace: [{ ...hop, timestamp: 'soon' }] }))).toEqual([
      expect.stringMatching(/^routing_trace\.0\.timestamp: must be an RFC 3339 date-time/),
    ]);
  });

  it('rejects a routing_trace that is not an array', () => {
    expect(problems(v2({ routing_trace: hop }))).toEqual([expect.stringMatching(/^routing_trace:/)]);
  });

  it('a v1 envelope ignores context and routing_trace (null or not)', () => {
    const e = parsed(v2({ version: undefined, context: null, routing_trace: 'x' }));
    expect(e.version).toBeUndefined();
    expect(e).not.toHaveProperty('context');
    expect(e).not.toHaveProperty('routing_trace');
  });
});
