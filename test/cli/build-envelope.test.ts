import { describe, expect, it } from 'vitest';

import { UsageError, buildInjectEnvelope, type InjectSpec } from '../../src/cli/build-envelope.js';
import { UUID_PATTERN, parseEnvelope, pipelineDepth } from '../../src/core/protocol/envelope.js';
import { usageErrorOf as usageError } from '../helpers/thrown.js';

function build(spec: Partial<InjectSpec> = {}) {
  return buildInjectEnvelope({ agentId: 'a', ...spec });
}

describe('buildInjectEnvelope', () => {
  it('FR-007: builds a valid v1 envelope addressed to the agent input topic', () => {
    const b = build({ message: 'Summarise' });
    expect(b.topic).toBe('/control/agents/a/input');
    expect(b.taskId).toMatch(UUID_PATTERN);
    expect(b.conversationId).toMatch(/^conv-[0-9a-f]{8}$/);
    expect(b.finalAgentId).toBe('a');
    expect(b.envelope).toEqual({
      task_id: b.taskId,
      conversation_id: b.conversationId,
      topic: '/control/agents/a/input',
      instruction: 'Summarise',
      input: null,
      next: null,
    });
    expect(parseEnvelope(b.envelope).ok).toBe(true);
  });

  it('uses a given task id and conversation id, and fresh ones otherwise', () => {
    const given = build({ taskId: '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35', conversationId: 'conv-7' });
    expect(given.envelope).toMatchObject({
      task_id: '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35',
      conversation_id: 'conv-7',
    });
    expect(build().taskId).not.toBe(build().taskId);
  });

  it('parses --input as JSON', () => {
    expect(build({ inputJson: '{"text":"x"}' }).envelope.input).toEqual({ text: 'x' });
    expect(build({ inputJson: '"plain"' }).envelope.input).toBe('plain');
  });

  it('--tool adds a tool_request with the parsed --tool-params, merged into an object --input', () => {
    const b = build({ inputJson: '{"text":"x"}', tool: 'echo', toolParamsJson: '{"message":"hi"}' });
    expect(b.envelope.input).toEqual({
      text: 'x',
      tool_request: { name: 'echo', parameters: { message: 'hi' } },
    });
    expect(parseEnvelope(b.envelope).ok).toBe(true);
    expect(build({ tool: 'current_time' }).envelope.input).toEqual({
      tool_request: { name: 'current_time', parameters: {} },
    });
  });

  it('FR-014: --next builds a nested pipeline a → b → c with canonical input topics', () => {
    const b = build({ message: 'go', next: ['b', 'c'] });
    expect(b.envelope.next).toEqual({
      topic: '/control/agents/b/input',
      instruction: null,
      input: null,
      next: { topic: '/control/agents/c/input', instruction: null, input: null, next: null },
    });
    expect(pipelineDepth(b.envelope)).toBe(2);
    expect(b.finalAgentId).toBe('c');
    expect(parseEnvelope(b.envelope).ok).toBe(true);
  });

  it('an empty --next list is no pipeline', () => {
    expect(build({ next: [] })).toMatchObject({ finalAgentId: 'a', envelope: { next: null } });
  });

  it.each([
    ['--input', { inputJson: '{text: x}' }],
    ['--tool-params', { tool: 'echo', toolParamsJson: '{' }],
  ])('invalid JSON in %s is a UsageError naming the flag', (flag, spec) => {
    expect(usageError(() => build(spec)).message).toContain(flag);
  });

  it.each([
    ['--tool-params without --tool', { toolParamsJson: '{}' }],
    ['--tool with an array --input', { tool: 'echo', inputJson: '[1]' }],
    ['--tool with a string --input', { tool: 'echo', inputJson: '"s"' }],
  ])('%s is a UsageError', (_name, spec) => {
    expect(usageError(() => build(spec))).toBeInstanceOf(UsageError);
  });

  it.each(['[1, 2]', '"s"', '5', 'null', 'true'])(
    '--tool-params %s (not a JSON object) is a UsageError',
    (json) => {
      expect(usageError(() => build({ tool: 'echo', toolParamsJson: json })).message).toContain(
        '--tool-params',
      );
    },
  );

  it.each([
    ['the target', { agentId: 'bad id' }],
    ['a --next hop', { next: ['b', 'c/d'] }],
    ['a wildcard', { agentId: '+' }],
  ])('RULE-001: a bad agent id in %s is a UsageError', (_name, spec) => {
    expect(usageError(() => build(spec)).message).toMatch(/agent id/);
  });

  it('--query builds a v2 envelope: the query is the instruction and the original_query of a fresh context', () => {
    const b = build({ query: 'Rust async', inputJson: '{"k":1}' });
    expect(b.envelope).toEqual({
      task_id: b.taskId,
      conversation_id: b.conversationId,
      topic: '/control/agents/a/input',
      instruction: 'Rust async',
      input: { k: 1 },
      next: null,
      version: '2.0',
      context: { original_query: 'Rust async', steps_completed: [], iteration_count: 0 },
    });
    const parsed = parseEnvelope(b.envelope);
    expect(parsed.ok).toBe(true);
    expect(parsed.ok && parsed.envelope).toMatchObject({
      version: '2.0',
      context: { original_query: 'Rust async', steps_completed: [], iteration_count: 0 },
    });
    expect(build({ message: 'x' }).envelope).not.toHaveProperty('version');
  });

  it.each([
    ['--query with --message', { query: 'q', message: 'm' }],
    ['--query with --next', { query: 'q', next: ['b'] }],
  ])('%s is a UsageError', (_name, spec) => {
    expect(usageError(() => build(spec))).toBeInstanceOf(UsageError);
  });

  it.each(['', 'a+b', 'a#', 'x\u0000'])('a conversation id %j is a UsageError', (conversationId) => {
    expect(usageError(() => build({ conversationId }))).toBeInstanceOf(UsageError);
  });
});
