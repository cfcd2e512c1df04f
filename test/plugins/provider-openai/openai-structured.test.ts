// Structured output (GenerateRequestV1.responseFormat) in the OpenAI mapping: response_format json_schema, strict.
import { describe, expect, it } from 'vitest';

import { toChatRequest } from '../../../src/plugins/provider-openai/request-mapping.js';

describe('openai structured output', () => {
  it('sends response_format json_schema with strict: true, next to any tools', () => {
    const schema = { type: 'object', properties: {}, required: [], additionalProperties: false };
    const body = toChatRequest(
      {
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ name: 'echo', description: 'echo', parameters: { type: 'object' } }],
        responseFormat: { type: 'json_schema', name: 'answer', schema },
      },
      { model: 'm' },
    );
    expect(body.response_format).toEqual({
      type: 'json_schema',
      json_schema: { name: 'answer', schema, strict: true },
    });
    expect(body.tools).toHaveLength(1);
  });

  it('no responseFormat: no response_format', () => {
    const body = toChatRequest({ messages: [{ role: 'user', content: 'hi' }], tools: [] }, { model: 'm' });
    expect(body).not.toHaveProperty('response_format');
  });
});
