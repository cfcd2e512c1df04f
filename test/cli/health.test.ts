import { describe, expect, it } from 'vitest';

import { UsageError } from '../../src/cli/build-envelope.js';
import { usageErrorOf } from '../helpers/thrown.js';
import { healthUrl } from '../../src/cli/health.js';

/** The flags as commander gives them with every default applied. */
const DEFAULTS = { host: '127.0.0.1', port: 8080, timeout: 3, endpoint: 'ready' };

describe('healthUrl', () => {
  it('asks /ready on 127.0.0.1:8080 by default', () => {
    expect(healthUrl(DEFAULTS)).toBe('http://127.0.0.1:8080/ready');
  });

  it('builds the URL from --host, --port and --endpoint', () => {
    expect(healthUrl({ ...DEFAULTS, host: 'agent.local', port: 9090, endpoint: 'health' })).toBe(
      'http://agent.local:9090/health',
    );
    expect(healthUrl({ ...DEFAULTS, endpoint: 'live' })).toBe('http://127.0.0.1:8080/live');
  });

  it('accepts the extreme ports 1 and 65535', () => {
    expect(healthUrl({ ...DEFAULTS, port: 1 })).toBe('http://127.0.0.1:1/ready');
    expect(healthUrl({ ...DEFAULTS, port: 65535 })).toBe('http://127.0.0.1:65535/ready');
  });

  it('puts an IPv6 host in brackets', () => {
    const url = healthUrl({ ...DEFAULTS, host: '::1' });
    expect(url).toBe('http://[::1]:8080/ready');
    expect(new URL(url).hostname).toBe('[::1]');
    expect(healthUrl({ ...DEFAULTS, host: 'fe80::1:2', port: 81 })).toBe('http://[fe80::1:2]:81/ready');
  });

  it('uses --url as given, ignoring the other flags', () => {
    expect(
      healthUrl({ ...DEFAULTS, url: 'https://agents.example.com:8443/health', port: 1, endpoint: 'x' }),
    ).toBe('https://agents.example.com:8443/health');
  });

  it('rejects a --url that is not a URL with a UsageError', () => {
    const err = usageErrorOf(() => healthUrl({ ...DEFAULTS, url: 'not a url' }));
    expect(err.message).toContain('not a url');
  });

  it('keeps a bracketed IPv6 host as it is, and refuses URLs without a scheme', () => {
    expect(healthUrl({ ...DEFAULTS, host: '[::1]' })).toBe('http://[::1]:8080/ready');
    expect(usageErrorOf(() => healthUrl({ ...DEFAULTS, url: 'localhost:8080/ready' }))).toBeInstanceOf(
      UsageError,
    );
  });
});
