import { describe, expect, it } from 'vitest';

import {
  DECISION_JSON_SCHEMA,
  MAX_DECISION_TEXT_CHARS,
  MAX_INSTRUCTION_BYTES,
  MAX_REASONING_BYTES,
  decisionFromText,
  parseDecision,
  truncateUtf8,
} from '../../../src/core/routing/decision.js';
import { MAX_OBJECT_CANDIDATES, findJsonObject } from '../../../src/core/routing/json-in-text.js';
import { thrown } from '../../helpers/thrown.js';

const forward = { workflow_complete: false, next_agent: 'editor', next_instruction: 'polish it' };

describe('parseDecision', () => {
  it('a complete decision; nulls are absent; extra keys ignored', () => {
    expect(parseDecision({ workflow_complete: true })).toEqual({ workflow_complete: true });
    expect(
      parseDecision({
        workflow_complete: true,
        reasoning: null,
        next_agent: null,
        next_instruction: null,
        confidence: 0.9,
      }),
    ).toEqual({ workflow_complete: true });
  });

  it('a complete decision ignores next_agent / next_instruction, whatever their type', () => {
    const d = parseDecision({
      workflow_complete: true,
      reasoning: 'done',
      next_agent: '',
      next_instruction: 7,
    });
    expect(d).toEqual({ workflow_complete: true, reasoning: 'done' });
  });

  it('a forward decision keeps agent, instruction and reasoning', () => {
    expect(parseDecision({ ...forward, reasoning: 'needs polish', extra: { x: 1 } })).toEqual({
      ...forward,
      reasoning: 'needs polish',
    });
  });

  it.each([
    ['not an object', 'yes', ''],
    ['an array', [forward], ''],
    ['null', null, ''],
    ['workflow_complete missing', { next_agent: 'a' }, 'workflow_complete'],
    ['workflow_complete a string', { workflow_complete: 'false' }, 'workflow_complete'],
    ['workflow_complete null', { workflow_complete: null }, 'workflow_complete'],
    ['reasoning a number', { workflow_complete: true, reasoning: 3 }, 'reasoning'],
    ['forward without next_agent', { workflow_complete: false, next_instruction: 'x' }, 'next_agent'],
    ['forward with next_agent null', { ...forward, next_agent: null }, 'next_agent'],
    ['next_agent not a string', { ...forward, next_agent: ['a'] }, 'next_agent'],
    ['next_agent breaks the id rule', { ...forward, next_agent: 'a/b' }, 'next_agent'],
    ['next_agent a wildcard', { ...forward, next_agent: '+' }, 'next_agent'],
    ['next_agent empty', { ...forward, next_agent: '' }, 'next_agent'],
    ['next_agent too long', { ...forward, next_agent: 'a'.repeat(1025) }, 'next_agent'],
    ['forward without instruction', { workflow_complete: false, next_agent: 'a' }, 'next_instruction'],
    ['instruction a number', { ...forward, next_instruction: 1 }, 'next_instruction'],
    [
      'instruction over the cap',
      { ...forward, next_instruction: 'é'.repeat(MAX_INSTRUCTION_BYTES / 2 + 1) },
      'next_instruction',
    ],
  ])('%s → AGENT_ERR_ROUTER_BAD_DECISION naming the field', (_, value, field) => {
    const err = thrown(() => parseDecision(value, 'gatekeeper'));
    expect(err.code).toBe('AGENT_ERR_ROUTER_BAD_DECISION');
    expect(err.data).toMatchObject({ router: 'gatekeeper', field });
  });

  it('an instruction of exactly the cap is accepted', () => {
    const next_instruction = 'x'.repeat(MAX_INSTRUCTION_BYTES);
    expect(parseDecision({ ...forward, next_instruction }).next_instruction).toBe(next_instruction);
  });

  it('reasoning over 4 KiB is cut at a character boundary, marked with …', () => {
    const reasoning = parseDecision({ workflow_complete: true, reasoning: '€'.repeat(3000) }).reasoning!;
    expect(Buffer.byteLength(reasoning)).toBeLessThanOrEqual(MAX_REASONING_BYTES);
    expect(reasoning).toMatch(/^€+…$/);
    expect(truncateUtf8('short', 10)).toBe('short');
  });

  it('only own properties count (a prototype cannot supply workflow_complete)', () => {
    const err = thrown(() => parseDecision(Object.create({ workflow_complete: true }) as object));
    expect(err.data).toMatchObject({ field: 'workflow_complete' });
  });
});

describe('decisionFromText', () => {
  const json = JSON.stringify({ ...forward, reasoning: 'r' });

  it('bare JSON, a ```json fence, and JSON inside prose', () => {
    const expected = { ...forward, reasoning: 'r' };
    expect(decisionFromText(json)).toEqual(expected);
    expect(decisionFromText('```json\n' + json + '\n```')).toEqual(expected);
    expect(decisionFromText(`Here is my decision: ${json} Hope that helps {really}.`)).toEqual(expected);
  });

  it('skips braces in prose and objects without workflow_complete; braces inside strings do not confuse it', () => {
    const tricky = JSON.stringify({ workflow_complete: true, reasoning: 'a } and a { and a \\" quote' });
    const text = `Use {curly} braces; the schema is {"type": "object"}. Answer: ${tricky}`;
    expect(decisionFromText(text)).toEqual({
      workflow_complete: true,
      reasoning: 'a } and a { and a \\" quote',
    });
  });

  it('no JSON object, or an invalid one → AGENT_ERR_ROUTER_BAD_DECISION', () => {
    expect(thrown(() => decisionFromText('I think we are done.', 'llm')).data).toMatchObject({
      router: 'llm',
      field: '',
    });
    expect(thrown(() => decisionFromText('{"workflow_complete": "yes"}')).data).toMatchObject({
      field: 'workflow_complete',
    });
    expect(thrown(() => decisionFromText('{"workflow_complete": tru')).code).toBe(
      'AGENT_ERR_ROUTER_BAD_DECISION',
    );
  });

  it('text over the cap is refused without scanning', () => {
    const err = thrown(() => decisionFromText(' '.repeat(MAX_DECISION_TEXT_CHARS) + json));
    expect(err.code).toBe('AGENT_ERR_ROUTER_BAD_DECISION');
  });
});

describe('findJsonObject', () => {
  it('gives up after MAX_OBJECT_CANDIDATES unbalanced openings', () => {
    const junk = '{'.repeat(MAX_OBJECT_CANDIDATES);
    expect(findJsonObject(`${junk} {"a": 1}`)).toBeUndefined();
    expect(findJsonObject(`${'{'.repeat(MAX_OBJECT_CANDIDATES - 1)} {"a": 1}`)).toEqual({ a: 1 });
    expect(findJsonObject('x {"a": 1} y')).toEqual({ a: 1 });
  });

  it('falls back to the first parsed object when none is preferred', () => {
    expect(findJsonObject('{"a": 1} {"b": 2}', (v) => 'c' in v)).toEqual({ a: 1 });
    expect(findJsonObject('{"a": 1} {"b": 2}', (v) => 'b' in v)).toEqual({ b: 2 });
  });
});

describe('DECISION_JSON_SCHEMA (OpenAI strict mode rules)', () => {
  it('lists every property in required, forbids extra keys, types optional ones as nullable', () => {
    const schema = DECISION_JSON_SCHEMA as {
      properties: Record<string, { type: unknown }>;
      required: string[];
      additionalProperties: unknown;
    };
    expect([...schema.required].sort()).toEqual(Object.keys(schema.properties).sort());
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.next_agent!.type).toEqual(['string', 'null']);
    expect(schema.properties.next_instruction!.type).toEqual(['string', 'null']);
    expect(schema.properties.workflow_complete!.type).toBe('boolean');
  });

  it('every value the schema allows with workflow_complete true parses', () => {
    expect(
      parseDecision({ workflow_complete: true, reasoning: '', next_agent: null, next_instruction: null }),
    ).toEqual({ workflow_complete: true, reasoning: '' });
  });
});
