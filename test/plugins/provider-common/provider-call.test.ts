// One SDK call: the abort reason wins over whatever the SDK threw; other failures become short Errors
// that keep the SDK's error as cause.
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';

import { httpProviderParts, providerCalls } from '../../../src/plugins/provider-common/provider-call.js';

const calls = providerCalls({
  label: 'Test',
  sdk: OpenAI,
  host: 'h:1',
  timeoutSeconds: 1,
  maxRetries: 0,
  model: 'm',
  apiKey: undefined,
});
const live = (): AbortSignal => new AbortController().signal;
const rejection = async (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => 'resolved',
    (e: unknown) => e,
  );

describe('providerCalls', () => {
  it('passes a result through', async () => {
    expect(await calls.request(live(), () => Promise.resolve(42))).toBe(42);
  });

  it('a request failure says whose request failed and why; the SDK error is the cause', async () => {
    const sdkError = OpenAI.APIError.generate(401, undefined, undefined, new Headers());
    const err = await rejection(calls.request(live(), () => Promise.reject(sdkError)));
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toBe('Test request failed: 401 invalid API key');
    expect((err as Error).cause).toBe(sdkError);
  });

  it('a verify failure is the reason alone (the agent names the provider)', async () => {
    const sdkError = OpenAI.APIError.generate(404, undefined, undefined, new Headers());
    const err = await rejection(calls.verify(live(), () => Promise.reject(sdkError)));
    expect((err as Error).message).toBe('404 unknown model "m"');
  });

  it('once the caller aborted, its reason is the outcome, whatever the SDK threw', async () => {
    const ac = new AbortController();
    const reason = new Error('task timed out');
    const sdkError = OpenAI.APIError.generate(500, undefined, undefined, new Headers());
    const err = await rejection(
      calls.request(ac.signal, () => {
        ac.abort(reason);
        return Promise.reject(sdkError);
      }),
    );
    expect(err).toBe(reason);
  });

  it('an abort reason that is no Error is wrapped, and kept as the cause', async () => {
    const ac = new AbortController();
    ac.abort('stop');
    const err = await rejection(
      calls.request(ac.signal, () => Promise.reject(new OpenAI.APIUserAbortError())),
    );
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).cause).toBe('stop');
  });
});

describe('httpProviderParts', () => {
  it('SDK client options, calls naming the base URL’s host, request settings', async () => {
    const parts = httpProviderParts(
      {
        model: 'm',
        baseUrl: 'http://u:p@example.test:8080/v1?k=s',
        maxTokens: 5,
        options: { timeout: 0.25, max_retries: 1 },
      },
      { label: 'Test', sdk: OpenAI, defaultHost: 'api.example' },
    );
    expect(parts.clientOptions).toEqual({ timeout: 250, maxRetries: 1 });
    expect(parts.request).toEqual({ model: 'm', temperature: undefined, maxTokens: 5 });
    const unreachable = new OpenAI.APIConnectionError({ cause: new Error('down') });
    const err = await rejection(parts.calls.request(live(), () => Promise.reject(unreachable)));
    expect((err as Error).message).toBe('Test request failed: cannot reach example.test:8080 after 1 retry');
  });
});
