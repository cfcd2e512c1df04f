// Shared fixtures for the anthropic provider tests: a fake server per test, a provider on it, failure text.
import { afterEach, beforeEach } from 'vitest';

import { createAnthropicProvider } from '../../../src/plugins/provider-anthropic/anthropic-provider.js';
import type { ProviderV1 } from '@agent2389/tool-sdk';
import { startFakeAnthropicServer, type FakeAnthropicServer } from '../../helpers/fake-anthropic-server.js';

export const KEY = 'sk-ant-secret-key-987';

export interface FakeAnthropic {
  /** The server of the running test (a fresh one per test). */
  readonly server: FakeAnthropicServer;
  provider(options: Record<string, unknown>, baseUrl?: string): ProviderV1;
}

/** Register beforeEach/afterEach hooks that start and stop a fake Anthropic server for every test. */
export function useFakeAnthropic(): FakeAnthropic {
  let server: FakeAnthropicServer | undefined;
  beforeEach(async () => {
    server = await startFakeAnthropicServer();
  });
  afterEach(() => server?.close());
  const fake: FakeAnthropic = {
    get server() {
      return server!;
    },
    provider: (options, baseUrl = fake.server.baseUrl) =>
      createAnthropicProvider({ model: 'claude-test', apiKey: KEY, baseUrl, options }),
  };
  return fake;
}

/** The message a promise rejects with; fails the test if it resolves. */
export async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected a failure');
}
