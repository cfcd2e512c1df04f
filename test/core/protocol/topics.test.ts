import { describe, expect, it } from 'vitest';

import {
  canonicalizeTopic,
  conversationTopic,
  inputTopic,
  isValidAgentId,
  isValidConversationId,
  progressTopic,
  statusTopic,
} from '../../../src/core/protocol/topics.js';

describe('FR-006: canonicalizeTopic', () => {
  it.each([
    ['//control//agents/foo/', '/control/agents/foo'],
    ['control/agents/foo', '/control/agents/foo'],
    ['/control/agents/foo', '/control/agents/foo'],
    ['///a////b///', '/a/b'],
    ['', '/'],
    ['/', '/'],
    ['////', '/'],
    ['/a', '/a'],
    ['/a/', '/a'],
    ['/a//b', '/a/b'],
    ['a', '/a'],
    ['/control/agents/foo/input', '/control/agents/foo/input'],
  ])('FR-006: %j → %j', (input, expected) => {
    expect(canonicalizeTopic(input)).toBe(expected);
  });

  it('FR-006: is idempotent', () => {
    for (const t of ['//control//agents/foo/', '', 'a/b/', '/x//y', '/conversations/c-1/agent']) {
      const once = canonicalizeTopic(t);
      expect(canonicalizeTopic(once)).toBe(once);
    }
  });

  it('FR-006: keeps level contents (wildcards, dots, spaces) untouched', () => {
    expect(canonicalizeTopic('/control/agents/+/status/')).toBe('/control/agents/+/status');
    expect(canonicalizeTopic('a.b/ c ')).toBe('/a.b/ c ');
  });
});

describe('RULE-001: agent ids', () => {
  it.each(['writer', 'my-agent-001', 'a.b_c-D9', '_', '...'])('RULE-001: accepts %j', (id) => {
    expect(isValidAgentId(id)).toBe(true);
  });

  it.each(['', 'a b', 'a/b', 'a+b', 'a#b', 'é', 'a\u0000', 'a\n'])('RULE-001: rejects %j', (id) => {
    expect(isValidAgentId(id)).toBe(false);
  });
});

describe('conversation ids (§1)', () => {
  it.each(['conv-7', 'a b', 'with/slash', 'ünïcode'])('accepts %j', (id) => {
    expect(isValidConversationId(id)).toBe(true);
  });

  it.each(['', 'a+b', '#', 'x\u0000y'])('rejects %j', (id) => {
    expect(isValidConversationId(id)).toBe(false);
  });
});

describe('topic builders', () => {
  it('builds the per-agent topics of §1', () => {
    expect(inputTopic('writer')).toBe('/control/agents/writer/input');
    expect(statusTopic('writer')).toBe('/control/agents/writer/status');
    expect(progressTopic('writer')).toBe('/control/agents/writer/progress');
  });

  it('FR-006: conversationTopic is canonical', () => {
    expect(conversationTopic('conv-7', 'writer')).toBe('/conversations/conv-7/writer');
    expect(conversationTopic('/conv-7/', 'writer')).toBe('/conversations/conv-7/writer');
    const t = conversationTopic('c', 'a');
    expect(canonicalizeTopic(t)).toBe(t);
  });
});
