// verify() of the anthropic provider against a fake server: token-free, clear reasons.
import { describe, expect, it } from 'vitest';

import { freePort } from '../../helpers/free-port.js';
import { errorBody } from '../../helpers/fake-anthropic-server.js';
import { KEY, failure, useFakeAnthropic } from './harness.js';

const opts = () => ({ signal: new AbortController().signal });

const fake = useFakeAnthropic();
const { provider } = fake;

describe('anthropic provider: verify()', () => {
  it('ok: GET /v1/models/<model>, no tokens spent', async () => {
    fake.server.enqueue({
      body: { type: 'model', id: 'claude-test', display_name: 'Claude', created_at: '2025-01-01T00:00:00Z' },
    });
    await provider({ max_retries: 0 }).verify!(opts());
    expect(fake.server.requests.map((r) => [r.method, r.path])).toEqual([['GET', '/v1/models/claude-test']]);
    expect(fake.server.requests[0]?.hasApiKey).toBe(true);
  });

  it('401 → invalid API key', async () => {
    fake.server.enqueue({ status: 401, body: errorBody('authentication_error', 'invalid x-api-key') });
    const msg = await failure(provider({ max_retries: 2 }).verify!(opts()));
    expect(msg).toContain('invalid API key');
    expect(msg).not.toContain(KEY);
    expect(fake.server.requests).toHaveLength(1);
  });

  it('404 → unknown model', async () => {
    fake.server.enqueue({ status: 404, body: errorBody('not_found_error', 'model: claude-test') });
    const msg = await failure(provider({ max_retries: 2 }).verify!(opts()));
    expect(msg).toBe('404 unknown model "claude-test"');
  });

  it('unreachable → cannot reach', async () => {
    const port = await freePort();
    const msg = await failure(provider({ max_retries: 0 }, `http://127.0.0.1:${port}`).verify!(opts()));
    expect(msg).toContain('cannot reach');
  });
});
