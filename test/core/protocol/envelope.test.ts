import { describe, expect, it } from 'vitest';

import { isV2, parseEnvelope, pipelineDepth } from '../../../src/core/protocol/envelope.js';

const TASK_ID = '4b0c7d1e-9a3f-4e52-8c11-2f6d0a9b7e35';

function v1(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    task_id: TASK_ID,
    conversation_id: 'conv-7',
    topic: '/control/agents/writer/input',
    instruction: 'Summarise',
    input: { text: '...' },
    next: { topic: '/control/agents/editor/input', instruction: 'Polish', input: null, next: null },
    ...fields,
  };
}

const context = {
  original_query: 'q',
  steps_completed: [{ agent_id: 'writer', action: 'wrote', timestamp: '2026-11-25T10:15:30.123Z' }],
  iteration_count: 1,
};

function problems(raw: Record<string, unknown>): string[] {
  const r = parseEnvelope(raw);
  if (r.ok) throw new Error('expected an invalid envelope');
  return r.problems;
}

describe('FR-007: v1 envelope', () => {
  it('FR-007: accepts the §3.1 example', () => {
    const r = parseEnvelope(v1());
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.envelope).toEqual(v1());
  });

  it.each([
    ['instruction null', { instruction: null }],
    ['instruction absent', { instruction: undefined }],
    ['input absent', { input: undefined }],
    ['input a string', { input: 'text' }],
    ['input an array', { input: [1, 2] }],
    ['next null', { next: null }],
    ['next absent', { next: undefined }],
    ['next with only a topic', { next: { topic: '/control/agents/b/input' } }],
  ])('FR-007: accepts %s', (_name, fields) => {
    expect(parseEnvelope(v1(fields)).ok).toBe(true);
  });

  it.each([
    ['UUID v1', '6ba7b810-9dad-11d1-80b4-00c04fd430c8'],
    ['UUID v4 uppercase', '4B0C7D1E-9A3F-4E52-8C11-2F6D0A9B7E35'],
    ['UUID v7', '01890a5d-ac96-774b-bcce-b302099a8057'],
    ['nil UUID', '00000000-0000-0000-0000-000000000000'],
  ])('FR-007: accepts a task_id of any UUID version (%s)', (_name, id) => {
    expect(parseEnvelope(v1({ task_id: id })).ok).toBe(true);
  });

  it.each([
    ['task_id', { task_id: 'not-a-uuid' }],
    ['task_id', { task_id: undefined }],
    ['task_id', { task_id: 42 }],
    ['conversation_id', { conversation_id: '' }],
    ['conversation_id', { conversation_id: 'a+b' }],
    ['conversation_id', { conversation_id: 'a#' }],
    ['conversation_id', { conversation_id: undefined }],
    ['topic', { topic: '' }],
    ['topic', { topic: 7 }],
    ['instruction', { instruction: 3 }],
    ['next', { next: 'editor' }],
    ['next.topic', { next: { instruction: 'x' } }],
    ['next.topic', { next: { topic: '/control/agents/+/input' } }],
    ['next.topic', { next: { topic: '/control/#' } }],
    ['next.next.topic', { next: { topic: '/a', next: { topic: '' } } }],
  ])('FR-007: rejects a bad %s', (path, fields) => {
    expect(problems(v1(fields)).some((p) => p.startsWith(`${path}:`))).toBe(true);
  });

  // Each of these made a topic the broker rejects as malformed, closing the agent's connection (issue 14).
  const badTopicText: Array<[string, string]> = [
    ['U+0001', 'c\u0001'],
    ['U+0085', 'c\u0085'],
    ['U+FFFF', 'c\uffff'],
    ['U+FDD0', 'c\ufdd0'],
    ['a lone surrogate', 'c\ud800'],
    ['70 000 bytes', 'c'.repeat(70_000)],
  ];

  it.each(badTopicText)('FR-006: rejects a conversation_id holding %s', (_name, id) => {
    expect(problems(v1({ conversation_id: id }))).toEqual([expect.stringMatching(/^conversation_id: /)]);
  });

  it.each(badTopicText)('FR-006: rejects a next.topic holding %s, at any depth', (_name, text) => {
    const topic = `/control/agents/${text}/input`;
    expect(problems(v1({ next: { topic } }))).toEqual([expect.stringMatching(/^next\.topic: /)]);
    const deep = { topic: '/control/agents/b/input', next: { topic } };
    expect(problems(v1({ next: deep }))).toEqual([expect.stringMatching(/^next\.next\.topic: /)]);
  });

  it('FR-006: checks the canonical next topic (runs of / collapse before the length counts)', () => {
    const topic = `/control/${'/'.repeat(70_000)}agents/b/input`;
    expect(parseEnvelope(v1({ next: { topic } })).ok).toBe(true);
  });

  it('FR-006: with the agent id, checks the exact conversation topic it will publish to', () => {
    const id = 'c'.repeat(65_535 - '/conversations//writer'.length);
    expect(parseEnvelope(v1({ conversation_id: id }), 'writer').ok).toBe(true);
    const r = parseEnvelope(v1({ conversation_id: id }), 'writer2');
    expect(r).toEqual({
      ok: false,
      problems: [expect.stringMatching(/^conversation_id: .*longer than 65535/)],
    });
  });

  it('FR-007: rejects an envelope topic with MQTT wildcards', () => {
    expect(problems(v1({ topic: '/control/agents/+/input' }))[0]).toMatch(/^topic:/);
  });

  it('FR-008: ignores unknown fields, at the top and in next', () => {
    const raw = v1({ priority: 'high', trace: { id: 1 }, next: { topic: '/x', extra: true } });
    const r = parseEnvelope(raw);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.envelope).not.toHaveProperty('priority');
      expect(r.envelope.next).toEqual({ topic: '/x' });
    }
  });
});

describe('§3.2: v2 detection and validation', () => {
  it.each([
    ['"2.0"', '2.0', true],
    ['"2.1"', '2.1', true],
    ['"2"', '2', true],
    ['2 (number)', 2, false],
    ['"1.0"', '1.0', false],
    ['"v2"', 'v2', false],
    ['absent', undefined, false],
  ])('version %s → v2 is %s', (_name, version, expected) => {
    expect(isV2(v1({ version }))).toBe(expected);
  });

  it('accepts a v2 envelope with context and routing_trace, and keeps them', () => {
    const trace = [
      { from_agent: 'a', to_agent: 'b', reason: 'r', timestamp: '2026-01-01T00:00:00Z', step_number: 0 },
    ];
    const r = parseEnvelope(v1({ version: '2.0', context, routing_trace: trace }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.envelope.version).toBe('2.0');
      expect(r.envelope).toMatchObject({ context, routing_trace: trace });
    }
  });

  it('accepts version "2.1" and a v2 envelope without context', () => {
    const r = parseEnvelope(v1({ version: '2.1' }));
    expect(r.ok && r.envelope.version).toBe('2.1');
  });

  it('a v2 envelope with a malformed context is invalid (not downgraded)', () => {
    expect(problems(v1({ version: '2.0', context: { original_query: 'q' } })).join()).toMatch(/context\./);
    expect(problems(v1({ version: '2.0', context: 'x' }))[0]).toMatch(/^context:/);
    const badCount = { ...context, iteration_count: -1 };
    expect(problems(v1({ version: '2.0', context: badCount }))[0]).toMatch(/^context\.iteration_count:/);
  });

  it('a v2 envelope with a malformed routing_trace is invalid', () => {
    expect(problems(v1({ version: '2.0', routing_trace: [{ from_agent: 'a' }] })).length).toBeGreaterThan(0);
  });

  it('version 2 (number) is v1: a malformed context is then an ignored unknown field', () => {
    const r = parseEnvelope(v1({ version: 2, context: 'garbage' }));
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.envelope.version).toBeUndefined();
  });
});

describe('pipelineDepth (§4 step 5)', () => {
  it('counts nested next objects', () => {
    expect(pipelineDepth(v1({ next: null }))).toBe(0);
    expect(pipelineDepth(v1({ next: undefined }))).toBe(0);
    expect(pipelineDepth(v1())).toBe(1);
    expect(pipelineDepth({ next: { next: { next: { next: null } } } })).toBe(3);
  });

  it('ignores non-object next values and non-object input', () => {
    expect(pipelineDepth({ next: 'x' })).toBe(0);
    expect(pipelineDepth({ next: [{ next: {} }] })).toBe(0);
    expect(pipelineDepth({ next: { next: 5 } })).toBe(1);
    expect(pipelineDepth(null)).toBe(0);
    expect(pipelineDepth('text')).toBe(0);
  });
});
