// Timeout, retries, request settings and the host named in errors, read alike by both HTTP providers.
import { describe, expect, it } from 'vitest';

import {
  DEFAULT_MAX_RETRIES,
  DEFAULT_TIMEOUT_SECONDS,
  clientLimits,
  hostOf,
  requestSettings,
  timeoutMs,
} from '../../../src/plugins/provider-common/provider-settings.js';

describe('clientLimits', () => {
  it('reads timeout (seconds) and max_retries', () => {
    expect(clientLimits({ timeout: 0.25, max_retries: 0 })).toEqual({ timeoutSeconds: 0.25, maxRetries: 0 });
    expect(timeoutMs({ timeoutSeconds: 0.0004, maxRetries: 0 })).toBe(0);
    expect(timeoutMs({ timeoutSeconds: 1.2345, maxRetries: 0 })).toBe(1235);
  });

  it('anything else is the default', () => {
    const defaults = { timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, maxRetries: DEFAULT_MAX_RETRIES };
    expect(clientLimits({})).toEqual(defaults);
    for (const timeout of [0, -1, Number.NaN, Infinity, '5', null])
      expect(clientLimits({ timeout }).timeoutSeconds).toBe(DEFAULT_TIMEOUT_SECONDS);
    for (const max_retries of [-1, 1.5, Number.NaN, '2', null])
      expect(clientLimits({ max_retries }).maxRetries).toBe(DEFAULT_MAX_RETRIES);
  });
});

describe('hostOf', () => {
  it('the host and port only: never credentials, path or query', () => {
    expect(hostOf('http://user:pw@host:1234/v1/path?key=abc', 'fallback')).toBe('host:1234');
    expect(hostOf(undefined, 'api.openai.com')).toBe('api.openai.com');
    expect(hostOf('', 'api.anthropic.com')).toBe('api.anthropic.com');
  });

  it('a base URL that does not parse is not echoed (it may hold a secret)', () => {
    expect(hostOf('not a url sk-secret', 'x')).toBe('the configured base_url');
  });
});

describe('requestSettings', () => {
  it('model, temperature and max tokens from the provider settings', () => {
    expect(requestSettings({ model: 'm', temperature: 0.2, maxTokens: 9, apiKey: 'k', options: {} })).toEqual(
      {
        model: 'm',
        temperature: 0.2,
        maxTokens: 9,
      },
    );
  });
});
