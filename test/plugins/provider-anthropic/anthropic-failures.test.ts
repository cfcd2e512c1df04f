// Retries, error mapping and timeouts of the anthropic provider against a fake fake.server.
import { describe, expect, it } from 'vitest';

import type { GenerateRequestV1 } from '@agent2389/tool-sdk';
import { freePort } from '../../helpers/free-port.js';
import { errorBody, messageBody, textBlock } from '../../helpers/fake-anthropic-server.js';
import { KEY, failure, useFakeAnthropic } from './harness.js';

const req: GenerateRequestV1 = { messages: [{ role: 'user', content: 'SECRET-BODY-TEXT' }], tools: [] };
const opts = () => ({ signal: new AbortController().signal });
const ok = { body: messageBody([textBlock('fine')]) };

const fake = useFakeAnthropic();
const { provider } = fake;

describe('anthropic provider: retries', () => {
  it('429 with retry-after: 0 then success → 2 requests (SDK falls back to its ~0.5 s backoff)', async () => {
    fake.server.enqueue(
      { status: 429, headers: { 'retry-after': '0' }, body: errorBody('rate_limit_error', 'slow') },
      ok,
    );
    const started = Date.now();
    const r = await provider({ max_retries: 2 }).doGenerate(req, opts());
    expect(r.text).toBe('fine');
    expect(fake.server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('429 with retry-after-ms is honoured (waits at least that long)', async () => {
    fake.server.enqueue(
      { status: 429, headers: { 'retry-after-ms': '250' }, body: errorBody('rate_limit_error', 'x') },
      ok,
    );
    const started = Date.now();
    await provider({ max_retries: 1 }).doGenerate(req, opts());
    expect(fake.server.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('500 twice then success → 3 requests', async () => {
    const e500 = { status: 500, headers: { 'retry-after-ms': '5' }, body: errorBody('api_error', 'oops') };
    fake.server.enqueue(e500, e500, ok);
    const r = await provider({ max_retries: 2 }).doGenerate(req, opts());
    expect(r.text).toBe('fine');
    expect(fake.server.requests).toHaveLength(3);
  });

  it('500 beyond max_retries → error naming the status', async () => {
    const e500 = { status: 500, headers: { 'retry-after-ms': '5' }, body: errorBody('api_error', 'oops') };
    fake.server.enqueue(e500, e500);
    const msg = await failure(provider({ max_retries: 1 }).doGenerate(req, opts()));
    expect(msg).toContain('Anthropic request failed: 500');
    expect(fake.server.requests).toHaveLength(2);
  });

  it('401 → no retry, clear error, no key and no request body in the message', async () => {
    fake.server.enqueue(
      { status: 401, body: errorBody('authentication_error', `invalid x-api-key ${KEY}`) },
      ok,
    );
    const msg = await failure(provider({ max_retries: 3 }).doGenerate(req, opts()));
    expect(fake.server.requests).toHaveLength(1);
    expect(msg).toContain('401 invalid API key');
    expect(msg).not.toContain(KEY);
    expect(msg).not.toContain('SECRET-BODY-TEXT');
  });

  it('400 → no retry; the server reason is kept short and redacted', async () => {
    fake.server.enqueue(
      { status: 400, body: errorBody('invalid_request_error', `roles must alternate ${KEY}`) },
      ok,
    );
    const msg = await failure(provider({ max_retries: 3 }).doGenerate(req, opts()));
    expect(fake.server.requests).toHaveLength(1);
    expect(msg).toContain('400 bad request: roles must alternate');
    expect(msg).not.toContain(KEY);
  });
});

describe('anthropic provider: transport failures', () => {
  it('malformed JSON body → clear error', async () => {
    fake.server.enqueue({ raw: '{"content": [oops' });
    const msg = await failure(provider({ max_retries: 0 }).doGenerate(req, opts()));
    expect(msg).toMatch(/Anthropic request failed: malformed response/);
  });

  it('a JSON body that is not a message → clear error', async () => {
    fake.server.enqueue({ body: { unexpected: true } });
    const msg = await failure(provider({ max_retries: 0 }).doGenerate(req, opts()));
    expect(msg).toMatch(/malformed/);
  });

  it('server slower than the timeout → timed-out error (1 request with max_retries 0)', async () => {
    fake.server.enqueue({ ...ok, delayMs: 1000 });
    const msg = await failure(provider({ timeout: 0.2, max_retries: 0 }).doGenerate(req, opts()));
    expect(msg).toContain('timed out after 0.2s');
    expect(fake.server.requests).toHaveLength(1);
  });

  it('nothing listening → cannot reach <host>', async () => {
    const port = await freePort();
    const p = provider({ max_retries: 0 }, `http://127.0.0.1:${port}`);
    const msg = await failure(p.doGenerate(req, opts()));
    expect(msg).toContain(`cannot reach 127.0.0.1:${port}`);
  });

  it('an aborted call rejects with the caller’s abort reason', async () => {
    fake.server.enqueue({ ...ok, delayMs: 1000 });
    const ac = new AbortController();
    const reason = new Error('task timed out');
    setTimeout(() => ac.abort(reason), 50);
    await expect(provider({ max_retries: 0 }).doGenerate(req, { signal: ac.signal })).rejects.toBe(reason);
  });
});
