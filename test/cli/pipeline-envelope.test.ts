import { describe, expect, it } from 'vitest';

import { UsageError } from '../../src/cli/build-envelope.js';
import { buildPipelineEnvelope } from '../../src/cli/pipeline-envelope.js';
import { UUID_PATTERN, parseEnvelope, pipelineDepth } from '../../src/core/protocol/envelope.js';

const hops = [
  { agent: 'researcher', instruction: 'Research: x' },
  { agent: 'writer', instruction: 'Write' },
  { agent: 'editor', instruction: null },
];

describe('buildPipelineEnvelope', () => {
  it('FR-007: one v1 envelope to the first agent, a next nested per following hop with input null', () => {
    const b = buildPipelineEnvelope({ hops, input: { seed: 1 } });
    expect(b.topic).toBe('/control/agents/researcher/input');
    expect(b.taskId).toMatch(UUID_PATTERN);
    expect(b.conversationId).toMatch(/^conv-[0-9a-f]{8}$/);
    expect(b.envelope).toEqual({
      task_id: b.taskId,
      conversation_id: b.conversationId,
      topic: '/control/agents/researcher/input',
      instruction: 'Research: x',
      input: { seed: 1 },
      next: {
        topic: '/control/agents/writer/input',
        instruction: 'Write',
        input: null,
        next: { topic: '/control/agents/editor/input', instruction: null, input: null, next: null },
      },
    });
    expect(pipelineDepth(b.envelope)).toBe(2);
    expect(parseEnvelope(b.envelope).ok).toBe(true);
  });

  it('a single hop has no next', () => {
    const b = buildPipelineEnvelope({ hops: [hops[0]!], input: null });
    expect(b.envelope.next).toBeNull();
  });

  it('takes ids from the flags first, then the file', () => {
    const task = '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35';
    expect(buildPipelineEnvelope({ hops, input: null, conversationId: 'from-file' }).conversationId).toBe(
      'from-file',
    );
    const b = buildPipelineEnvelope(
      { hops, input: null, conversationId: 'from-file' },
      { taskId: task, conversationId: 'flag' },
    );
    expect(b).toMatchObject({ taskId: task, conversationId: 'flag' });
  });

  it('rejects bad agent ids, an agent visited twice, bad task and conversation ids', () => {
    expect(() => buildPipelineEnvelope({ hops: [{ agent: 'a b', instruction: null }], input: null })).toThrow(
      /agent id "a b" must match/,
    );
    const twice = [hops[0]!, hops[1]!, hops[0]!];
    expect(() => buildPipelineEnvelope({ hops: twice, input: null })).toThrow(/"researcher" appears twice/);
    expect(() => buildPipelineEnvelope({ hops: [], input: null })).toThrow(UsageError);
    expect(() => buildPipelineEnvelope({ hops, input: null }, { taskId: 'nope' })).toThrow(
      /--task-id "nope" must be a UUID/,
    );
    for (const conversationId of ['', 'a+b', 'a#', 'a/b']) {
      expect(() => buildPipelineEnvelope({ hops, input: null }, { conversationId })).toThrow(
        /conversation id/,
      );
    }
  });
});
