// allowed_hosts / denied_hosts globs, and their enforcement before any connection.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { compileHostPattern, createHostRules } from '../../../../tool-sdk/src/http/host-patterns.js';
import { answer, httpTool, startServer, toolError, type LocalServer } from './harness.js';

const matches = (pattern: string, host: string): boolean =>
  compileHostPattern(pattern, 'allowed_hosts').test(host);

describe('host globs', () => {
  it.each([
    ['example.com', 'example.com', true],
    ['example.com', 'www.example.com', false],
    ['*.example.com', 'api.example.com', true],
    ['*.example.com', 'a.b.example.com', true],
    ['*.example.com', 'example.com', false],
    ['*.example.com', 'evil-example.com', false],
    ['*.example.com', 'example.com.evil.org', false],
    ['api.*.example.com', 'api.eu.example.com', true],
    ['*', 'anything.at.all', true],
    ['10.0.0.*', '10.0.0.7', true],
    ['example.*', 'example.org', true],
  ])('%s matches %s: %s', (pattern, host, expected) => {
    expect(matches(pattern, host)).toBe(expected);
  });

  it('is case-insensitive and ignores trailing dots and IPv6 brackets', () => {
    const rules = createHostRules([], ['Example.COM', '*.Internal.', '[::1]']);
    expect(rules.check('example.com')).toBe('denied');
    expect(rules.check('EXAMPLE.com.')).toBe('denied');
    expect(rules.check('example.com..')).toBe('denied');
    expect(rules.check('db.internal')).toBe('denied');
    expect(rules.check('db.internal.')).toBe('denied');
    expect(rules.check('[::1]')).toBe('denied');
    expect(rules.check('example.org')).toBe('allowed');
  });

  it('denied wins over allowed; a non-empty allow list refuses every other host', () => {
    const rules = createHostRules(['*.example.com'], ['admin.example.com']);
    expect(rules.check('api.example.com')).toBe('allowed');
    expect(rules.check('admin.example.com')).toBe('denied');
    expect(rules.check('example.org')).toBe('not-allowed');
  });

  it('judges a 256 KB host name as any other (globs and trailing dots take linear time, issue 14)', () => {
    const long = 'a.'.repeat(128 * 1024);
    expect(matches('*a*b*c', long)).toBe(false);
    expect(matches('*.a.*.a', `${long}a`)).toBe(true);
    const rules = createHostRules([], ['*.internal']);
    expect(rules.check(`x${'.'.repeat(256 * 1024)}y`)).toBe('allowed');
    expect(rules.check(`${long}internal${'.'.repeat(1000)}`)).toBe('denied');
  });

  it('an empty allow list allows any host', () => {
    expect(createHostRules([], []).check('whatever.test')).toBe('allowed');
  });

  it.each([
    'https://example.com',
    'example.com:443',
    'example.com/path',
    'exa mple.com',
    '.',
    'ünïcode.example',
  ])('refuses the malformed glob %j, naming the key', (pattern) => {
    expect(() => createHostRules([pattern], [])).toThrow(/allowed_hosts/);
    expect(() => createHostRules([], [pattern])).toThrow(/denied_hosts/);
  });
});

describe('http_request: host rules', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer(answer(200, 'reached'));
  });
  afterAll(() => server.close());

  const privateOk = { allow_private_networks: true, timeout_seconds: 5 };

  it('a denied host is refused before any connection, even when private networks are allowed', async () => {
    const call = await httpTool({ ...privateOk, denied_hosts: ['127.0.0.1', 'localhost'] });
    for (const url of [`http://127.0.0.1:${server.port}/`, `http://localhost:${server.port}/`]) {
      expect((await toolError(call({ url }))).code).toBe('HTTP_HOST_DENIED');
    }
    expect(server.connections()).toBe(0);
  });

  it('a trailing dot does not bypass denied_hosts', async () => {
    const call = await httpTool({ ...privateOk, denied_hosts: ['localhost'] });
    const err = await toolError(call({ url: `http://LocalHost.:${server.port}/` }));
    expect(err.code).toBe('HTTP_HOST_DENIED');
    expect(server.connections()).toBe(0);
  });

  it('an odd IPv4 spelling is matched in its normalized form', async () => {
    const call = await httpTool({ ...privateOk, denied_hosts: ['127.0.0.1'] });
    expect((await toolError(call({ url: `http://2130706433:${server.port}/` }))).code).toBe(
      'HTTP_HOST_DENIED',
    );
    expect(server.connections()).toBe(0);
  });

  it('a host outside a non-empty allowed_hosts is refused; one inside it is requested', async () => {
    const call = await httpTool({ ...privateOk, allowed_hosts: ['*.example.com', 'localhost'] });
    expect((await toolError(call({ url: `http://127.0.0.1:${server.port}/` }))).code).toBe(
      'HTTP_HOST_DENIED',
    );
    expect(server.connections()).toBe(0);
    expect((await call({ url: `http://localhost:${server.port}/` })).status).toBe(200);
  });
});
