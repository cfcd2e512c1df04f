// The real openai SDK against a local fake server: retries, error mapping, timeouts and verify().
import { describe, expect, it } from 'vitest';

import { chatBody, errorBody } from '../../helpers/fake-openai-server.js';
import { KEY, ask, failure, signal, useFakeOpenAi } from './harness.js';
import { createOpenAiProvider } from '../../../src/plugins/provider-openai/openai-provider.js';

const openai = useFakeOpenAi();
const { provider } = openai;

describe('openai provider retries and errors', () => {
  it('429 with retry-after-ms, then success: 2 requests', async () => {
    openai.server.enqueue(
      { status: 429, headers: { 'retry-after-ms': '10' }, body: errorBody('slow down', 'rate_limit_error') },
      { body: chatBody('ok') },
    );
    const r = await provider({}, { max_retries: 2 }).doGenerate(ask(), signal());
    expect(r.text).toBe('ok');
    expect(openai.server.requests).toHaveLength(2);
  });

  it('429 with retry-after: 0, retries exhausted: 1 + max_retries requests, a short error', async () => {
    const limited = {
      status: 429,
      headers: { 'retry-after': '0' },
      body: errorBody('slow down', 'rate_limit_error'),
    };
    openai.server.enqueue(limited, limited);
    const err = await failure(provider({}, { max_retries: 1 }).doGenerate(ask(), signal()));
    expect(openai.server.requests).toHaveLength(2);
    expect(err.message).toMatch(/429 rate limited after 1 retry/);
  });

  it('500 twice then success: 3 requests', async () => {
    const boom = { status: 500, headers: { 'retry-after-ms': '5' }, body: errorBody('oops', 'server_error') };
    openai.server.enqueue(boom, boom, { body: chatBody('finally') });
    const r = await provider({}, { max_retries: 2 }).doGenerate(ask(), signal());
    expect(r.text).toBe('finally');
    expect(openai.server.requests).toHaveLength(3);
  });

  it('401: no retry, a clear error without the key', async () => {
    openai.server.enqueue({
      status: 401,
      body: errorBody(`Incorrect API key provided: ${KEY}`, 'invalid_request_error', 'invalid_api_key'),
    });
    const err = await failure(provider({}, { max_retries: 3 }).doGenerate(ask(), signal()));
    expect(openai.server.requests).toHaveLength(1);
    expect(err.message).toMatch(/401/);
    expect(err.message).toMatch(/invalid API key/);
    expect(err.message).not.toContain(KEY);
  });

  it('400 is not retried either', async () => {
    openai.server.enqueue({ status: 400, body: errorBody('bad') });
    await failure(provider({}, { max_retries: 3 }).doGenerate(ask(), signal()));
    expect(openai.server.requests).toHaveLength(1);
  });

  it('malformed JSON body → a clear error', async () => {
    openai.server.enqueue({ raw: '{"choices": [ {"message": ' });
    const err = await failure(provider({}, { max_retries: 0 }).doGenerate(ask(), signal()));
    expect(err.message).toMatch(/malformed response/);
  });

  it('a JSON body that is not a completion → a clear error', async () => {
    openai.server.enqueue({ body: { hello: 'world' } });
    const err = await failure(provider({}, { max_retries: 0 }).doGenerate(ask(), signal()));
    expect(err.message).toMatch(/malformed response/);
  });

  it('timeout → timed-out error', async () => {
    openai.server.enqueue({ delayMs: 1_000, body: chatBody('too late') });
    const err = await failure(provider({}, { timeout: 0.1, max_retries: 0 }).doGenerate(ask(), signal()));
    expect(err.message).toMatch(/timed out after 0\.1s/);
    expect(openai.server.requests).toHaveLength(1);
  });

  it('unreachable server → cannot reach <host>, no URL path', async () => {
    const url = openai.server.baseUrl;
    await openai.server.close();
    const p = createOpenAiProvider({
      model: 'gpt-test',
      baseUrl: `${url}/secret?x=1`,
      options: { max_retries: 0 },
    });
    const err = await failure(p.doGenerate(ask(), signal()));
    expect(err.message).toMatch(/cannot reach 127\.0\.0\.1:\d+/);
    expect(err.message).not.toContain('secret');
  });

  it('an aborted call rejects with the abort reason', async () => {
    openai.server.enqueue({ delayMs: 1_000, body: chatBody('late') });
    const ac = new AbortController();
    const p = provider({}, { max_retries: 0 }).doGenerate(ask(), { signal: ac.signal });
    setTimeout(() => ac.abort(new Error('task cancelled')), 50);
    expect((await failure(p)).message).toBe('task cancelled');
  });
});

describe('openai provider verify', () => {
  it('ok: GET /v1/models/<model>, no tokens spent', async () => {
    await provider().verify!(signal());
    expect(openai.server.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models/gpt-test']);
  });

  it('no model → GET /v1/models', async () => {
    await provider({ model: '' }).verify!(signal());
    expect(openai.server.requests.map((r) => r.path)).toEqual(['/v1/models']);
  });

  it('401 → invalid API key', async () => {
    openai.server.enqueueModels({ status: 401, body: errorBody('bad key') });
    const err = await failure(provider({}, { max_retries: 0 }).verify!(signal()));
    expect(err.message).toMatch(/401 invalid API key/);
  });

  it('unknown model → 404 unknown model "x" (after checking the model list)', async () => {
    const err = await failure(provider({ model: 'x' }).verify!(signal()));
    expect(err.message).toMatch(/unknown model "x"/);
  });

  it('a model missing from /models/:id but listed counts as known', async () => {
    openai.server.enqueueModels({ status: 404, body: errorBody('no route') });
    await provider().verify!(signal());
    expect(openai.server.requests.map((r) => r.path)).toEqual(['/v1/models/gpt-test', '/v1/models']);
  });

  it('no key and no base_url → fails without a request, naming api_key_env', async () => {
    const p = createOpenAiProvider({ model: 'gpt-test', options: {} });
    const err = await failure(p.verify!(signal()));
    expect(err.message).toMatch(/api_key_env/);
  });

  it('no key but a base_url (local server) → ok, no Authorization needed', async () => {
    await provider({ apiKey: undefined }).verify!(signal());
    expect(openai.server.requests).toHaveLength(1);
  });

  it('unreachable → cannot reach', async () => {
    await openai.server.close();
    const err = await failure(provider({}, { max_retries: 0 }).verify!(signal()));
    expect(err.message).toMatch(/cannot reach/);
  });
});
