// Unit tests for the OpenAI request mapping, response parsing and error messages (no network).
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { describe, expect, it } from 'vitest';

import {
  describeError,
  hostOf,
  type ErrorContext,
} from '../../../src/plugins/provider-openai/error-mapping.js';
import { toChatRequest } from '../../../src/plugins/provider-openai/request-mapping.js';
import {
  MalformedResponseError,
  mapFinishReason,
  parseChatResponse,
  parseToolCall,
} from '../../../src/plugins/provider-openai/response-parsing.js';

const ctx: ErrorContext = {
  host: '127.0.0.1:9',
  timeoutSeconds: 60,
  maxRetries: 2,
  model: 'm',
  phase: 'request',
};

describe('openai request mapping', () => {
  it('omits tools, temperature and max_tokens when not set; system becomes the first message', () => {
    const body = toChatRequest(
      { system: 'be brief', messages: [{ role: 'user', content: 'hi' }], tools: [] },
      { model: 'm' },
    );
    expect(body).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
    });
  });

  it('maps tools, assistant tool calls (JSON-string arguments) and error tool results', () => {
    const body = toChatRequest(
      {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'echo', input: { a: 1 } }] },
          { role: 'tool', toolCallId: 'c1', toolName: 'echo', content: 'boom', isError: true },
        ],
        tools: [{ name: 'echo', description: 'Echo', parameters: { type: 'object' } }],
      },
      { model: 'm', temperature: 0.2, maxTokens: 99 },
    );
    expect(body.tools).toEqual([
      { type: 'function', function: { name: 'echo', description: 'Echo', parameters: { type: 'object' } } },
    ]);
    expect(body).toMatchObject({ temperature: 0.2, max_tokens: 99 });
    expect(body.messages[1]).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'c1', type: 'function', function: { name: 'echo', arguments: '{"a":1}' } }],
    });
    expect(body.messages[2]).toMatchObject({ role: 'tool', tool_call_id: 'c1' });
    expect(body.messages[2]?.content).toMatch(/^Error: .*boom/);
  });
});

describe('openai response parsing', () => {
  it('maps finish reasons', () => {
    expect(mapFinishReason('stop')).toBe('stop');
    expect(mapFinishReason('tool_calls')).toBe('tool_calls');
    expect(mapFinishReason('length')).toBe('length');
    expect(mapFinishReason('content_filter')).toBe('other');
  });

  it('keeps tool calls with invalid or non-object arguments, marked with inputError', () => {
    expect(parseToolCall({ id: 'a', function: { name: 't', arguments: '{"x":' } }, 0).inputError).toMatch(
      /not valid JSON/,
    );
    expect(parseToolCall({ id: 'a', function: { name: 't', arguments: '[1]' } }, 0).inputError).toMatch(
      /object/,
    );
    expect(parseToolCall({ id: 'a', function: { name: 't', arguments: '' } }, 0)).toEqual({
      id: 'a',
      name: 't',
      input: {},
    });
    expect(parseToolCall({ function: { name: 't', arguments: '{}' } }, 3).id).toBe('call_3');
  });

  it('rejects bodies without choices', () => {
    expect(() => parseChatResponse('<html>')).toThrow(MalformedResponseError);
    expect(() => parseChatResponse({ choices: [] })).toThrow(/no choices/);
  });

  it('reads usage when present and leaves it out otherwise', () => {
    const choice = { message: { content: 'x' }, finish_reason: 'stop' };
    expect(parseChatResponse({ choices: [choice] }).usage).toBeUndefined();
    expect(
      parseChatResponse({ choices: [choice], usage: { prompt_tokens: 3, completion_tokens: 4 } }).usage,
    ).toEqual({
      inputTokens: 3,
      outputTokens: 4,
    });
  });
});

describe('openai error messages', () => {
  it('names status and reason', () => {
    const err = (status: number) =>
      APIError.generate(status, { message: 'sk-secret leaked?' }, undefined, new Headers());
    expect(describeError(err(401), ctx)).toBe('OpenAI request failed: 401 invalid API key');
    expect(describeError(err(429), ctx)).toBe('OpenAI request failed: 429 rate limited after 2 retries');
    expect(describeError(err(503), { ...ctx, maxRetries: 1 })).toBe(
      'OpenAI request failed: 503 server error after 1 retry',
    );
    expect(describeError(err(404), { ...ctx, phase: 'verify' })).toBe(
      'OpenAI check failed: 404 unknown model "m"',
    );
    expect(describeError(err(401), ctx)).not.toContain('sk-secret');
  });

  it('timeouts, unreachable hosts (host only) and unknown errors', () => {
    expect(describeError(new APIConnectionTimeoutError(), ctx)).toMatch(/timed out after 60s/);
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    expect(describeError(new APIConnectionError({ cause: refused }), ctx)).toMatch(
      /cannot reach 127\.0\.0\.1:9 \(ECONNREFUSED\)/,
    );
    expect(describeError(new TypeError('x'), ctx)).toBe(
      'OpenAI request failed: unexpected error (TypeError)',
    );
    expect(hostOf('http://user:pw@host:1234/v1/path?key=abc')).toBe('host:1234');
    expect(hostOf(undefined)).toBe('api.openai.com');
  });
});
