// §3.2 at intake: the Rust implementation's v2 forms are accepted, a malformed context is invalid_input.
import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { intake, type IntakeSettings } from '../../../src/core/pipeline/intake.js';

const TOPIC = '/control/agents/a/input';

const settings: IntakeSettings = {
  agentId: 'a',
  inputTopic: TOPIC,
  subscription: TOPIC,
  maxPipelineDepth: 2,
  maxMessageBytes: 4096,
};

/** Intake of one v2 envelope (each with a fresh task id, claimed once). */
function run(fields: Record<string, unknown>) {
  const task = { task_id: randomUUID(), conversation_id: 'conv-1', topic: TOPIC, version: '2.0', ...fields };
  const message = { topic: TOPIC, payload: Buffer.from(JSON.stringify(task)), retain: false };
  return intake(message, settings, () => Promise.resolve(true));
}

describe('§3.2: v2 envelopes at intake', () => {
  it('accepts null context and routing_trace, and a context without iteration_count (as 0)', async () => {
    const nulls = await run({ context: null, routing_trace: null });
    expect(nulls.kind).toBe('accept');
    const r = await run({ context: { original_query: 'q', steps_completed: [] } });
    expect(r.kind === 'accept' && r.envelope.version !== undefined && r.envelope.context).toEqual({
      original_query: 'q',
      steps_completed: [],
      iteration_count: 0,
    });
  });

  it.each([
    ['without steps_completed', { original_query: 'q' }],
    ['with a string iteration_count', { original_query: 'q', steps_completed: [], iteration_count: '1' }],
    ['that is a string', 'q'],
  ])('a context %s is invalid_input, answerable', async (_name, context) => {
    const r = await run({ context });
    expect(r).toMatchObject({ kind: 'reject', code: 'invalid_input', reply: { conversationId: 'conv-1' } });
  });
});
