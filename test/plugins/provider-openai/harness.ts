// Shared fixtures for the OpenAI provider tests: a tool description, requests and a rejection helper.
import type { CallOptions, GenerateRequestV1, ToolDescriptionV1 } from '../../../tool-sdk/src/index.js';

export const KEY = 'sk-test-secret-123';
export const echo: ToolDescriptionV1 = {
  name: 'echo',
  description: 'Echo the message',
  parameters: { type: 'object', properties: { message: { type: 'string' } } },
};

export const signal = (): CallOptions => ({ signal: new AbortController().signal });
export const ask = (
  tools: ToolDescriptionV1[] = [echo],
  extra: Partial<GenerateRequestV1> = {},
): GenerateRequestV1 => ({
  messages: [{ role: 'user', content: 'hi' }],
  tools,
  ...extra,
});

/** The error a promise rejects with; fails the test if it resolves. */
export const failure = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
};
