import { describe, expect, it } from 'vitest';

import { observe, parseTopic } from '../../src/cli/observed-message.js';

const at = new Date('2026-11-25T10:15:30.123Z');
const msg = (topic: string, payload: unknown, retain = false) =>
  observe(
    { topic, payload: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)), retain },
    at,
  );
const TASK = '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35';

describe('parseTopic', () => {
  it('names the agent topics and conversation topics, canonicalized', () => {
    expect(parseTopic('/control/agents/writer/status')).toEqual({ area: 'status', agentId: 'writer' });
    expect(parseTopic('//control//agents/w.1/input/')).toEqual({ area: 'input', agentId: 'w.1' });
    expect(parseTopic('/control/agents/w/progress')).toEqual({ area: 'progress', agentId: 'w' });
    expect(parseTopic('/conversations/conv-7/editor')).toEqual({
      area: 'conversation',
      conversationId: 'conv-7',
      agentId: 'editor',
    });
    expect(parseTopic('/control/agents/w/other')).toBeUndefined();
    expect(parseTopic('/conversations/conv-7')).toBeUndefined();
  });
});

describe('observe', () => {
  it('classifies a status message and keeps the retained flag', () => {
    const m = msg('/control/agents/writer/status', { agent_id: 'writer', status: 'available' }, true);
    expect(m).toMatchObject({ kind: 'status', agentId: 'writer', retained: true, time: at });
    expect(m.conversationId).toBeUndefined();
  });

  it('takes the task and conversation ids of a task envelope from its payload', () => {
    const m = msg('/control/agents/writer/input', { task_id: TASK, conversation_id: 'c1', topic: 'x' });
    expect(m).toMatchObject({ kind: 'task', agentId: 'writer', taskId: TASK, conversationId: 'c1' });
  });

  it('tells a response from an error on a conversation topic, with ids from the topic', () => {
    expect(msg('/conversations/c1/editor', { task_id: TASK, response: 'hi' })).toMatchObject({
      kind: 'response',
      agentId: 'editor',
      conversationId: 'c1',
      taskId: TASK,
    });
    expect(
      msg('/conversations/c1/editor', { task_id: TASK, error: { code: 'llm_error', message: 'm' } }).kind,
    ).toBe('error');
  });

  it('classifies progress events, agent events without a task included', () => {
    const m = msg('/control/agents/w/progress', { agent_id: 'w', event: 'config_reloaded', data: {} });
    expect(m).toMatchObject({ kind: 'progress', agentId: 'w', taskId: undefined });
  });

  it('marks bad payloads malformed with the raw text and a reason, never throwing', () => {
    expect(msg('/control/agents/w/input', '{oops')).toMatchObject({
      kind: 'malformed',
      raw: '{oops',
      problem: 'not JSON',
      agentId: 'w',
    });
    expect(msg('/control/agents/w/status', '').problem).toBe('empty payload');
    expect(msg('/control/agents/w/status', '[1,2]').problem).toBe('not a JSON object');
    expect(msg('/control/agents/w/status', { agent_id: 'w' }).problem).toBe('no "status" field');
    expect(msg('/control/agents/w/input', { topic: 'x' }).problem).toBe('no "task_id" field');
    expect(msg('/control/agents/w/progress', { task_id: TASK }).problem).toBe('no "event" field');
    expect(msg('/conversations/c/w', { task_id: TASK }).problem).toBe('neither a response nor an error');
    expect(msg('/elsewhere', { a: 1 }).problem).toBe('not a 2389 protocol topic');
    const binary = observe(
      { topic: '/control/agents/w/input', payload: Buffer.from([0xff, 0x00]), retain: false },
      at,
    );
    expect(binary.kind).toBe('malformed');
  });

  it('falls back to the payload agent_id when the topic has none', () => {
    expect(msg('/elsewhere', { agent_id: 'w', status: 'x' }).agentId).toBe('w');
  });
});
