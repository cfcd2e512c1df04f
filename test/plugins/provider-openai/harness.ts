// Shared fixtures for the OpenAI provider tests: a fake server per test, a tool, requests, a rejection helper.
import { afterEach, beforeEach } from 'vitest';

import { createOpenAiProvider } from '../../../src/plugins/provider-openai/openai-provider.js';
import type {
  CallOptions,
  GenerateRequestV1,
  ProviderSettingsV1,
  ProviderV1,
  ToolDescriptionV1,
} from '@agent2389/tool-sdk';
import { startFakeOpenAiServer, type FakeOpenAiServer } from '../../helpers/fake-openai-server.js';

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

export interface FakeOpenAi {
  /** The server of the running test (a fresh one per test). */
  readonly server: FakeOpenAiServer;
  provider(over?: Partial<ProviderSettingsV1>, options?: Record<string, unknown>): ProviderV1;
}

/** Register beforeEach/afterEach hooks that start and stop a fake OpenAI server for every test. */
export function useFakeOpenAi(): FakeOpenAi {
  let server: FakeOpenAiServer | undefined;
  beforeEach(async () => {
    server = await startFakeOpenAiServer();
  });
  afterEach(() => server?.close());
  const fake: FakeOpenAi = {
    get server() {
      return server!;
    },
    provider: (over = {}, options = {}) =>
      createOpenAiProvider({
        model: 'gpt-test',
        apiKey: KEY,
        baseUrl: fake.server.baseUrl,
        options,
        ...over,
      }),
  };
  return fake;
}
