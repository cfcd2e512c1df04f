import { describe, expect, it } from 'vitest';

import {
  MAX_TOPIC_BYTES,
  canonicalizeTopic,
  conversationTopic,
  conversationTopicProblem,
  inputTopic,
  isValidAgentId,
  progressTopic,
  statusTopic,
  topicFilterProblem,
  topicNameProblem,
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
    expect(conversationTopicProblem(id, 'writer')).toBeUndefined();
  });

  it.each(['', 'a+b', '#', 'x\u0000y', 'a\u0001', 'a\u0085', 'a\uffff', 'a\ud800', 'x'.repeat(70_000)])(
    'rejects %j',
    (id) => {
      expect(conversationTopicProblem(id, 'writer')).toBeTypeOf('string');
    },
  );
});

describe('FR-006, §1: topic names are valid MQTT topic names', () => {
  it.each([
    ['/control/agents/writer/input'],
    ['/conversations/ünïcode €/a'],
    ['/conversations/😀/a'], // a surrogate pair: 4 UTF-8 bytes, well-formed
    ['/a b/\u00a0/\ufdcf/\ufdf0/\ufffd'], // next to the forbidden ranges, but outside them
    ['$share/group//control/agents/a/input'],
    ['/'],
  ])('FR-006: accepts %j', (topic) => {
    expect(topicNameProblem(topic)).toBeUndefined();
  });

  it.each([
    ['empty', '', /empty/],
    ['NUL', 'a\u0000b', /NUL/],
    ['U+0001', 'a\u0001b', /control character U\+0001/],
    ['U+001F', 'a\u001f', /control character U\+001F/],
    ['U+007F', 'a\u007f', /control character U\+007F/],
    ['U+0085', 'a\u0085', /control character U\+0085/],
    ['U+009F', 'a\u009f', /control character U\+009F/],
    ['U+FDD0', 'a\ufdd0', /noncharacter U\+FDD0/],
    ['U+FDEF', 'a\ufdef', /noncharacter U\+FDEF/],
    ['U+FFFE', 'a\ufffe', /noncharacter U\+FFFE/],
    ['U+FFFF', 'a\uffff', /noncharacter U\+FFFF/],
    ['U+1FFFF', 'a\ud83f\udfff', /noncharacter U\+1FFFF/],
    ['U+10FFFE', 'a\udbff\udffe', /noncharacter U\+10FFFE/],
    ['a lone high surrogate', 'a\ud800b', /lone surrogate U\+D800/],
    ['a lone high surrogate at the end', 'a\ud800', /lone surrogate/],
    ['a lone low surrogate', 'a\udc00b', /lone surrogate U\+DC00/],
    ['+', '/control/agents/+/input', /wildcard/],
    ['#', '/control/#', /wildcard/],
  ])('FR-006: rejects a topic with %s', (_name, topic, problem) => {
    expect(topicNameProblem(topic)).toMatch(problem);
  });

  it('FR-006: counts UTF-8 bytes, not characters: at most 65 535', () => {
    expect(topicNameProblem('a'.repeat(MAX_TOPIC_BYTES))).toBeUndefined();
    expect(topicNameProblem('a'.repeat(MAX_TOPIC_BYTES + 1))).toMatch(/longer than 65535 bytes/);
    expect(topicNameProblem('é'.repeat(32_767) + 'a')).toBeUndefined(); // 65 535 bytes
    expect(topicNameProblem('é'.repeat(32_768))).toMatch(/longer than/); // 65 536 bytes
    expect(topicNameProblem('€'.repeat(21_846))).toMatch(/longer than/); // 65 538 bytes
    expect(topicNameProblem('😀'.repeat(16_384))).toMatch(/longer than/); // 65 536 bytes
    expect(topicNameProblem('x'.repeat(10_000_000))).toMatch(/longer than/);
  });

  it.each([
    ['+'],
    ['#'],
    ['/control/agents/+/status'],
    ['/conversations/#'],
    ['+/+/#'],
    ['$share/g//control/agents/a/input'],
  ])('accepts the topic filter %j', (filter) => {
    expect(topicFilterProblem(filter)).toBeUndefined();
  });

  it.each([
    ['a+', /whole level/],
    ['/a/b#', /whole level/],
    ['/#/a', /# before its last level/],
    ['/a/\u0001/#', /control character/],
    ['', /empty/],
  ])('rejects the topic filter %j', (filter, problem) => {
    expect(topicFilterProblem(filter)).toMatch(problem);
  });

  it('FR-006: a conversation topic is checked whole, with the agent id it is built for', () => {
    expect(conversationTopicProblem('conv-7', 'writer')).toBeUndefined();
    expect(conversationTopicProblem('', 'writer')).toMatch(/empty/);
    expect(conversationTopicProblem('c\u0001', 'writer')).toMatch(/control character U\+0001/);
    // '/conversations/' + id + '/' + agent id: 15 + 1 bytes of frame.
    const fits = 'x'.repeat(MAX_TOPIC_BYTES - 16 - 'writer'.length);
    expect(conversationTopicProblem(fits, 'writer')).toBeUndefined();
    expect(conversationTopicProblem(fits + 'x', 'writer')).toMatch(/longer than/);
    expect(conversationTopicProblem(fits, 'writer-2')).toMatch(/longer than/);
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
