import { describe, expect, it } from 'vitest';

import {
  createScriptedProvider,
  findToolRequest,
  scriptedGenerate,
  scriptedProviderFactory,
} from '../../../src/plugins/provider-scripted/scripted-provider.js';
import type { GenerateRequestV1, MessageV1, ToolDescriptionV1 } from '@agent2389/tool-sdk';

const echo: ToolDescriptionV1 = { name: 'echo', description: 'echo', parameters: { type: 'object' } };
const toolInput = { tool_request: { name: 'echo', parameters: { message: 'hi' } } };

function req(
  input: unknown,
  opts: { tools?: ToolDescriptionV1[]; extra?: MessageV1[] } = {},
): GenerateRequestV1 {
  return {
    messages: [{ role: 'user', content: 'Do it\n\nthe input' }, ...(opts.extra ?? [])],
    tools: opts.tools ?? [echo],
    task: { instruction: 'Do it', input },
  };
}

const toolResult = (content: string, isError: boolean): MessageV1[] => [
  { role: 'assistant', content: '', toolCalls: [{ id: 'scripted-call-1', name: 'echo', input: {} }] },
  { role: 'tool', toolCallId: 'scripted-call-1', toolName: 'echo', content, isError },
];

describe('scripted provider', () => {
  it('answers with the instruction and input (the first user message)', () => {
    const r = scriptedGenerate(req('the input'));
    expect(r).toMatchObject({ text: 'Do it\n\nthe input', toolCalls: [], finishReason: 'stop' });
  });

  it('"scripted": {"reply": "system_prompt"} answers with the system prompt (empty without one)', () => {
    const input = { scripted: { reply: 'system_prompt' } };
    expect(scriptedGenerate({ ...req(input), system: 'You are v2' }).text).toBe('You are v2');
    expect(scriptedGenerate(req(input)).text).toBe('');
  });

  it('answers with an empty text when there is no user message', () => {
    expect(scriptedGenerate({ messages: [], tools: [] }).text).toBe('');
  });

  it('a tool_request with tools offered → exactly one tool call with its parameters', () => {
    const r = scriptedGenerate(req(toolInput));
    expect(r.finishReason).toBe('tool_calls');
    expect(r.toolCalls).toEqual([{ id: 'scripted-call-1', name: 'echo', input: { message: 'hi' } }]);
  });

  it('a tool_request without parameters calls the tool with {}', () => {
    expect(scriptedGenerate(req({ tool_request: { name: 'echo' } })).toolCalls[0]?.input).toEqual({});
  });

  it('a tool_request with tools: [] (the budget-exhausted call) gets a plain answer', () => {
    const r = scriptedGenerate(req(toolInput, { tools: [] }));
    expect(r.toolCalls).toEqual([]);
    expect(r.text).toBe('Do it\n\nthe input');
  });

  it('after a tool result, answers with its content', () => {
    const r = scriptedGenerate(req(toolInput, { extra: toolResult('{"message":"hi"}', false) }));
    expect(r).toMatchObject({ text: '{"message":"hi"}', toolCalls: [], finishReason: 'stop' });
  });

  it("after an error result, answers ''", () => {
    const r = scriptedGenerate(req(toolInput, { extra: toolResult('Error [X]: bad', true) }));
    expect(r).toMatchObject({ text: '', toolCalls: [] });
  });

  it('uses the last tool result when there are several', () => {
    const extra = [...toolResult('first', false), ...toolResult('second', false)];
    expect(scriptedGenerate(req(toolInput, { extra })).text).toBe('second');
  });

  it.each([
    ['null', null],
    ['a string', 'tool_request'],
    ['tool_request null', { tool_request: null }],
    ['a name that is not a string', { tool_request: { name: 5 } }],
  ])('findToolRequest ignores %s', (_name, input) => {
    expect(findToolRequest(input)).toBeUndefined();
  });

  it('the factory makes a v1 provider that verifies without a key', async () => {
    expect(scriptedProviderFactory).toMatchObject({ id: 'scripted', requiresApiKey: false });
    const p = createScriptedProvider();
    expect(p.specificationVersion).toBe('v1');
    const signal = new AbortController().signal;
    await expect(p.verify?.({ signal })).resolves.toBeUndefined();
    expect((await p.doGenerate(req('x'), { signal })).usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});
