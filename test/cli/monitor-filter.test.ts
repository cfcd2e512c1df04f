import { describe, expect, it } from 'vitest';

import { UsageError } from '../../src/cli/build-envelope.js';
import { checkFilters, matchesFilters, parseMode, subscriptionTopics } from '../../src/cli/monitor-filter.js';
import { observe } from '../../src/cli/observed-message.js';
import { topicMatches } from '../../src/core/transport/memory.js';

const m = (topic: string, payload: unknown) =>
  observe({ topic, payload: Buffer.from(JSON.stringify(payload)), retain: false }, new Date());

describe('parseMode / checkFilters', () => {
  it('accepts the five modes and rejects others with a usage error', () => {
    expect(parseMode('progress')).toBe('progress');
    expect(() => parseMode('everything')).toThrow(UsageError);
    expect(() => parseMode('everything')).toThrow(/--mode must be one of all, availability/);
  });

  it('rejects ids that cannot be topic levels', () => {
    expect(() => checkFilters({ agentId: 'my agent' })).toThrow(/--agent-id "my agent"/);
    expect(() => checkFilters({ agentId: 'a+' })).toThrow(UsageError);
    for (const bad of ['', 'c#', 'c+', 'a/b']) {
      expect(() => checkFilters({ conversationId: bad })).toThrow(/--conversation-id/);
    }
    expect(checkFilters({ agentId: 'w.1', conversationId: 'conv-7' })).toEqual({
      agentId: 'w.1',
      conversationId: 'conv-7',
    });
  });
});

describe('subscriptionTopics', () => {
  it('subscribes each mode to its topic family', () => {
    expect(subscriptionTopics('availability', {})).toEqual(['/control/agents/+/status']);
    expect(subscriptionTopics('inputs', {})).toEqual(['/control/agents/+/input']);
    expect(subscriptionTopics('conversations', {})).toEqual(['/conversations/#']);
    expect(subscriptionTopics('progress', {})).toEqual(['/control/agents/+/progress']);
    expect(subscriptionTopics('all', {})).toHaveLength(4);
  });

  it('narrows the topics to the agent and conversation asked for', () => {
    const topics = subscriptionTopics('all', { agentId: 'writer', conversationId: 'c1' });
    expect(topics).toEqual([
      '/control/agents/writer/status',
      '/control/agents/writer/input',
      '/conversations/c1/writer',
      '/control/agents/writer/progress',
    ]);
    const [conv] = subscriptionTopics('conversations', { agentId: 'writer' });
    expect(topicMatches(conv!, '/conversations/any/writer')).toBe(true);
    expect(topicMatches(conv!, '/conversations/any/editor')).toBe(false);
    const [byConv] = subscriptionTopics('conversations', { conversationId: 'c1' });
    expect(topicMatches(byConv!, '/conversations/c1/editor')).toBe(true);
    expect(topicMatches(byConv!, '/conversations/c2/editor')).toBe(false);
  });
});

describe('matchesFilters', () => {
  const task = m('/control/agents/writer/input', { task_id: 't', conversation_id: 'c1', topic: 'x' });
  const status = m('/control/agents/writer/status', { agent_id: 'writer', status: 'available' });
  const progress = m('/control/agents/editor/progress', {
    agent_id: 'editor',
    conversation_id: 'c2',
    event: 'x',
  });

  it('passes everything without filters', () => {
    expect([task, status, progress].every((x) => matchesFilters(x, {}))).toBe(true);
  });

  it('--agent-id matches the agent of the topic', () => {
    expect(matchesFilters(task, { agentId: 'writer' })).toBe(true);
    expect(matchesFilters(progress, { agentId: 'writer' })).toBe(false);
  });

  it('--conversation-id matches the payload conversation_id and hides messages of no conversation', () => {
    expect(matchesFilters(task, { conversationId: 'c1' })).toBe(true);
    expect(matchesFilters(progress, { conversationId: 'c1' })).toBe(false);
    expect(matchesFilters(status, { conversationId: 'c1' })).toBe(false);
    expect(matchesFilters(m('/conversations/c1/w', 'not an object'), { conversationId: 'c1' })).toBe(true);
  });

  it('both filters must match', () => {
    expect(matchesFilters(task, { agentId: 'writer', conversationId: 'c1' })).toBe(true);
    expect(matchesFilters(task, { agentId: 'writer', conversationId: 'c2' })).toBe(false);
  });
});
