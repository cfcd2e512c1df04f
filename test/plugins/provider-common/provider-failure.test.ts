// The shared failure mapping of the HTTP providers, fed the real error classes of both SDKs (no network).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';

import {
  MalformedResponseError,
  describeFailure,
  failureOf,
  isRetriedStatus,
  redact,
  statusReason,
  type FailureContext,
  type ProviderFailure,
  type SdkErrors,
} from '../../../src/plugins/provider-common/provider-failure.js';

const ctx: FailureContext = {
  host: '127.0.0.1:9',
  timeoutSeconds: 60,
  maxRetries: 2,
  model: 'm',
  apiKey: 'sk-the-real-key-0123456789',
  phase: 'request',
};

const SDKS: readonly (readonly [string, typeof OpenAI | typeof Anthropic])[] = [
  ['openai', OpenAI],
  ['anthropic', Anthropic],
];

describe.each(SDKS)('failureOf with the %s SDK', (_name, sdk) => {
  const status = (code: number, body?: object) => sdk.APIError.generate(code, body, undefined, new Headers());

  it('sorts the SDK errors: abort, timeout, unreachable (with the system code), HTTP status', () => {
    expect(failureOf(new sdk.APIUserAbortError(), sdk)).toEqual({ kind: 'aborted' });
    expect(failureOf(new sdk.APIConnectionTimeoutError(), sdk)).toEqual({ kind: 'timeout' });
    const refused = Object.assign(new Error('connect'), { code: 'ECONNREFUSED' });
    expect(failureOf(new sdk.APIConnectionError({ cause: refused }), sdk)).toEqual({
      kind: 'unreachable',
      code: 'ECONNREFUSED',
    });
    expect(failureOf(status(429), sdk)).toMatchObject({ kind: 'status', status: 429 });
  });

  it('keeps the server’s own message of an error body', () => {
    const body = { type: 'error', error: { type: 'invalid_request_error', message: 'roles must alternate' } };
    const f = failureOf(status(400, body), sdk);
    expect(f).toEqual({ kind: 'status', status: 400, serverMessage: 'roles must alternate' });
  });

  it('a body that is not the API’s, and anything else', () => {
    expect(failureOf(new MalformedResponseError('no choices'), sdk)).toEqual({
      kind: 'malformed',
      reason: 'no choices',
    });
    expect(failureOf(new SyntaxError('Unexpected token <'), sdk)).toEqual({
      kind: 'malformed',
      reason: 'body is not valid JSON',
    });
    expect(failureOf(new TypeError('x'), sdk)).toEqual({ kind: 'unexpected', name: 'TypeError' });
    expect(failureOf('a string', sdk)).toEqual({ kind: 'unexpected', name: undefined });
  });
});

describe('failureOf goes by the classes it is given', () => {
  it("the other SDK's API error is not taken for one of this SDK's", () => {
    const theirs = Anthropic.APIError.generate(500, undefined, undefined, new Headers());
    expect(failureOf(theirs, OpenAI satisfies SdkErrors)).toEqual({ kind: 'unexpected', name: theirs.name });
  });
});

describe('describeFailure', () => {
  const say = (f: ProviderFailure, over: Partial<FailureContext> = {}) =>
    describeFailure(f, { ...ctx, ...over });

  it('status and reason, with the retries the SDK made for statuses it retries', () => {
    expect(say({ kind: 'status', status: 401 })).toBe('401 invalid API key');
    expect(say({ kind: 'status', status: 429 })).toBe('429 rate limited after 2 retries');
    expect(say({ kind: 'status', status: 503 }, { maxRetries: 1 })).toBe('503 server error after 1 retry');
    expect(say({ kind: 'status', status: 529 }, { maxRetries: 0 })).toBe('529 overloaded');
    expect(say({ kind: 'status', status: 408 })).toBe('408 request timeout after 2 retries');
    expect(say({ kind: 'status', status: 413 })).toBe('413 request too large');
    expect(say({ kind: 'status', status: 418 })).toBe('418 request rejected');
  });

  it('404 while verifying is an unknown model (while requesting, or without a model, not found)', () => {
    expect(say({ kind: 'status', status: 404 }, { phase: 'verify' })).toBe('404 unknown model "m"');
    expect(say({ kind: 'status', status: 404 })).toBe('404 not found');
    expect(say({ kind: 'status', status: 404 }, { phase: 'verify', model: '' })).toBe('404 not found');
  });

  it('the server’s words only for 400/422, redacted', () => {
    const serverMessage = `roles must alternate (key ${ctx.apiKey!})`;
    expect(say({ kind: 'status', status: 400, serverMessage })).toBe(
      '400 bad request: roles must alternate (key [redacted])',
    );
    expect(say({ kind: 'status', status: 422, serverMessage: 'no' })).toBe('422 unprocessable request: no');
    expect(say({ kind: 'status', status: 401, serverMessage: 'Incorrect API key sk-abc' })).toBe(
      '401 invalid API key',
    );
  });

  it('timeouts, unreachable hosts (host only), malformed bodies, the rest', () => {
    expect(say({ kind: 'timeout' }, { timeoutSeconds: 0.5, maxRetries: 0 })).toBe('timed out after 0.5s');
    expect(say({ kind: 'timeout' })).toBe('timed out after 60s after 2 retries');
    expect(say({ kind: 'unreachable', code: 'ECONNREFUSED' }, { maxRetries: 1 })).toBe(
      'cannot reach 127.0.0.1:9 (ECONNREFUSED) after 1 retry',
    );
    expect(say({ kind: 'unreachable' }, { maxRetries: 0 })).toBe('cannot reach 127.0.0.1:9');
    expect(say({ kind: 'malformed', reason: 'no choices' })).toBe('malformed response: no choices');
    expect(say({ kind: 'aborted' })).toBe('aborted');
    expect(say({ kind: 'unexpected', name: 'TypeError' })).toBe('unexpected error (TypeError)');
    expect(say({ kind: 'unexpected' })).toBe('unexpected error');
  });
});

describe('redact, statusReason, isRetriedStatus', () => {
  it('removes the key and key-shaped strings, folds white space, clips', () => {
    expect(redact('a\n  b sk-ant-api03-abcdefgh c', 'nope')).toBe('a b [redacted] c');
    expect(redact('x sk-proj-ABCDEFGH123 y')).toBe('x [redacted] y');
    expect(redact('the secret-key is here', 'secret-key')).toBe('the [redacted] is here');
    const long = redact('w'.repeat(500));
    expect(long).toHaveLength(161);
    expect(long.endsWith('…')).toBe(true);
  });

  it('names statuses; the SDKs retry 408, 409, 429 and 5xx only', () => {
    expect([400, 401, 403, 409, 422, 500, 599].map(statusReason)).toEqual([
      'bad request',
      'invalid API key',
      'permission denied',
      'conflict',
      'unprocessable request',
      'server error',
      'server error',
    ]);
    expect([400, 401, 404, 408, 409, 429, 500, 529].filter(isRetriedStatus)).toEqual([
      408, 409, 429, 500, 529,
    ]);
  });
});
