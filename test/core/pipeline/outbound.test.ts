import { describe, expect, it } from 'vitest';

import {
  errorPayload,
  fitText,
  forwardMessage,
  responsePayload,
} from '../../../src/core/pipeline/outbound.js';
import { parseEnvelope, type TaskEnvelope } from '../../../src/core/protocol/envelope.js';

const TASK_ID = '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35';
const MARKER = '[truncated by agent2389';

function envelope(fields: Partial<TaskEnvelope> = {}): TaskEnvelope {
  return {
    task_id: TASK_ID,
    conversation_id: 'conv-7',
    topic: '/control/agents/writer/input',
    instruction: 'Summarise',
    input: { text: 'long text' },
    next: {
      topic: '//control//agents/editor/input/',
      instruction: 'Polish',
      input: 'ignored',
      next: { topic: '/control/agents/publisher/input', instruction: null, next: null },
    },
    ...fields,
  };
}

function body(payload: string): Record<string, unknown> {
  return JSON.parse(payload) as Record<string, unknown>;
}

describe('FR-014: forwardMessage', () => {
  it('FR-014: keeps the ids, takes topic/instruction/next from next and sets input to the response', () => {
    const { topic, payload } = forwardMessage(envelope(), 'the summary', 262_144);
    expect(topic).toBe('/control/agents/editor/input');
    expect(body(payload)).toEqual({
      task_id: TASK_ID,
      conversation_id: 'conv-7',
      topic: '/control/agents/editor/input',
      instruction: 'Polish',
      input: 'the summary',
      next: { topic: '/control/agents/publisher/input', instruction: null, next: null },
    });
  });

  it('FR-014: the forwarded envelope is itself valid, with depth reduced by one', () => {
    const { payload } = forwardMessage(envelope(), 'x', 262_144);
    const parsed = parseEnvelope(body(payload));
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.envelope.next?.next).toBeNull();
  });

  it('FR-014: an absent next.instruction and next.next become null', () => {
    const { payload } = forwardMessage(envelope({ next: { topic: '/control/agents/b/input' } }), 'r', 10_000);
    expect(body(payload)).toMatchObject({ instruction: null, next: null, input: 'r' });
  });

  it('does not add v2 fields to a v1 envelope', () => {
    const { payload } = forwardMessage(envelope(), 'r', 10_000);
    expect(Object.keys(body(payload))).not.toContain('version');
  });

  it('§3.2: carries version, context and routing_trace of a v2 envelope', () => {
    const context = { original_query: 'q', steps_completed: [], iteration_count: 2 };
    const routing_trace = [
      { from_agent: 'a', to_agent: 'b', reason: 'r', timestamp: '2026-01-01T00:00:00.000Z', step_number: 1 },
    ];
    const env = envelope({ version: '2.0', context, routing_trace });
    const out = body(forwardMessage(env, 'r', 10_000).payload);
    expect(out).toMatchObject({ version: '2.0', context, routing_trace });
    expect(parseEnvelope(out).ok).toBe(true);
  });

  it('NFR-003: truncates a long response so the forwarded payload fits, with a marker', () => {
    const { payload } = forwardMessage(envelope(), 'y'.repeat(10_000), 1_000);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(1_000);
    const out = body(payload);
    expect(out.input).toMatch(/^y+\n…\[truncated by agent2389/);
    expect(out.task_id).toBe(TASK_ID);
    expect(parseEnvelope(out).ok).toBe(true);
  });
});

describe('NFR-003: responsePayload', () => {
  it('leaves a response that fits untouched', () => {
    expect(body(responsePayload(TASK_ID, 'done', 1_000))).toEqual({ task_id: TASK_ID, response: 'done' });
  });

  it.each([
    ['ASCII', 'a'.repeat(5_000)],
    ['multi-byte', 'é漢字🎉'.repeat(1_000)],
    ['escape-heavy', '"\\\n\u0001'.repeat(2_000)],
    ['mixed', 'ok "quoted" \u0000 ü 🎉 \t'.repeat(500)],
  ])('NFR-003: truncates %s text to within max bytes, as valid JSON with a marker', (_name, text) => {
    for (const max of [200, 1_000, 4_096]) {
      const payload = responsePayload(TASK_ID, text, max);
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(max);
      const out = body(payload);
      expect(out.task_id).toBe(TASK_ID);
      expect(out.response).toContain(MARKER);
      expect(text.startsWith((out.response as string).split('\n…[truncated')[0]!)).toBe(true);
    }
  });

  it('NFR-003: keeps as much of the response as it can', () => {
    const payload = responsePayload(TASK_ID, 'z'.repeat(10_000), 2_000);
    expect(Buffer.byteLength(payload)).toBeGreaterThan(1_900);
  });

  it('NFR-003: stays within the limit when only a character or two of escape-heavy text fits', () => {
    const marker = '\n…[truncated by agent2389: response exceeded max_message_bytes]';
    const smallest = Buffer.byteLength(JSON.stringify({ task_id: TASK_ID, response: marker }));
    for (let max = smallest; max < smallest + 16; max++) {
      const payload = responsePayload(TASK_ID, '\u0000'.repeat(100), max);
      expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(max);
      expect(body(payload).response).toContain(MARKER);
    }
  });
});

describe('NFR-003: fitText', () => {
  const wrap = (t: string): string => JSON.stringify({ big: 'e'.repeat(300), text: t });

  it('returns the wrapped text untouched when it fits', () => {
    expect(fitText('short', 1_000, wrap)).toBe(wrap('short'));
  });

  it('keeps only the marker when the wrapper alone nearly fills the limit', () => {
    const max = Buffer.byteLength(wrap('\n…[truncated by agent2389: response exceeded max_message_bytes]'));
    const payload = fitText('q'.repeat(500), max, wrap);
    expect(Buffer.byteLength(payload)).toBeLessThanOrEqual(max);
    expect((JSON.parse(payload) as { text: string }).text).toMatch(/^\n…\[truncated by agent2389/);
  });
});

describe('RULE-002: errorPayload', () => {
  it('builds a §3.5 error message', () => {
    expect(body(errorPayload(TASK_ID, 'llm_error', 'model overloaded'))).toEqual({
      task_id: TASK_ID,
      error: { code: 'llm_error', message: 'model overloaded' },
    });
  });

  it('RULE-002: redacts the message', () => {
    const stack =
      'Error: failed api_key=sk-abcdefghijkl at https://llm.internal/v1\n    at f (/app/a.js:1:1)';
    const out = body(errorPayload(TASK_ID, 'internal_error', stack)) as { error: { message: string } };
    expect(out.error.message).not.toMatch(/sk-abcdefghijkl|llm\.internal|\/app\/a\.js/);
    expect(out.error.message).toContain('api_key=***');
  });

  it('RULE-002: caps the message at 500 characters', () => {
    const out = body(errorPayload(TASK_ID, 'internal_error', 'w'.repeat(5_000))) as {
      error: { message: string };
    };
    expect(out.error.message.length).toBeLessThanOrEqual(500);
  });
});
