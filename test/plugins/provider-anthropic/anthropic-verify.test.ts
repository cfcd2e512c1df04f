// verify() of the anthropic provider against a fake server: token-free, clear reasons.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createAnthropicProvider } from '../../../src/plugins/provider-anthropic/anthropic-provider.js';
import type { ProviderV1 } from '../../../tool-sdk/src/index.js';
import { freePort } from '../../helpers/free-port.js';
import {
  errorBody,
  startFakeAnthropicServer,
  type FakeAnthropicServer,
} from '../../helpers/fake-anthropic-server.js';

const KEY = 'sk-ant-secret-key-987';
const opts = () => ({ signal: new AbortController().signal });

let server: FakeAnthropicServer;
beforeEach(async () => {
  server = await startFakeAnthropicServer();
});
afterEach(() => server.close());

function provider(options: Record<string, unknown>, baseUrl = server.baseUrl): ProviderV1 {
  return createAnthropicProvider({ model: 'claude-test', apiKey: KEY, baseUrl, options });
}

async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected a failure');
}

describe('anthropic provider: verify()', () => {
  it('ok: GET /v1/models/<model>, no tokens spent', async () => {
    server.enqueue({
      body: { type: 'model', id: 'claude-test', display_name: 'Claude', created_at: '2025-01-01T00:00:00Z' },
    });
    await provider({ max_retries: 0 }).verify!(opts());
    expect(server.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/v1/models/claude-test']]);
    expect(server.requests[0]?.hasApiKey).toBe(true);
  });

  it('401 → invalid API key', async () => {
    server.enqueue({ status: 401, body: errorBody('authentication_error', 'invalid x-api-key') });
    const msg = await failure(provider({ max_retries: 2 }).verify!(opts()));
    expect(msg).toContain('invalid API key');
    expect(msg).not.toContain(KEY);
    expect(server.requests).toHaveLength(1);
  });

  it('404 → unknown model', async () => {
    server.enqueue({ status: 404, body: errorBody('not_found_error', 'model: claude-test') });
    const msg = await failure(provider({ max_retries: 2 }).verify!(opts()));
    expect(msg).toBe('unknown model "claude-test"');
  });

  it('unreachable → cannot reach', async () => {
    const port = await freePort();
    const msg = await failure(provider({ max_retries: 0 }, `http://127.0.0.1:${port}`).verify!(opts()));
    expect(msg).toContain('cannot reach');
  });
});
