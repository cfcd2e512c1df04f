import { describe, expect, it } from 'vitest';

import { lineOfKey } from '../../../src/core/config/lines.js';

const text = (...lines: string[]): string => lines.join('\n');

describe('lineOfKey', () => {
  it('finds a top-level key written before any table header', () => {
    const toml = text('# agent config', 'task_timeout = 5', '[agent]', 'id = "a1"');
    expect(lineOfKey(toml, ['task_timeout'])).toBe(2);
  });

  it('does not report a top-level key that TOML scoped into a table', () => {
    const toml = text('[agent]', 'id = "a1"', 'task_timeout = 5');
    expect(lineOfKey(toml, ['task_timeout'])).toBeUndefined();
  });

  it('finds a key inside its [table]', () => {
    const toml = text('[agent]', 'id = "a1"', '', '[mqtt]', 'broker_url = "embedded"', 'qos = 2');
    expect(lineOfKey(toml, ['agent', 'id'])).toBe(2);
    expect(lineOfKey(toml, ['mqtt', 'qos'])).toBe(6);
  });

  it('finds a key inside a [table.sub], tolerating spaces, quotes and comments in the header', () => {
    const toml = text('[mqtt]', 'broker_url = "embedded"', '[ mqtt . embedded ] # local', 'port = 99999');
    expect(lineOfKey(toml, ['mqtt', 'embedded', 'port'])).toBe(4);
    const quoted = text('[tools."web-fetch"]', 'impl = "nope"');
    expect(lineOfKey(quoted, ['tools', 'web-fetch', 'impl'])).toBe(2);
  });

  it('finds CRLF-separated lines', () => {
    expect(lineOfKey('[agent]\r\nid = "a1"\r\n', ['agent', 'id'])).toBe(2);
  });

  it('finds dotted keys in the parent table', () => {
    const toml = text('[agent]', 'id = "a1"', '[tools]', 'echo.impl = "builtin"');
    expect(lineOfKey(toml, ['tools', 'echo', 'impl'])).toBe(4);
    expect(lineOfKey(text('agent.id = "bad id"'), ['agent', 'id'])).toBe(1);
  });

  it('finds inline tables in the parent table', () => {
    const toml = text('[tools]', 'echo = "builtin"', 'http = { impl = "builtin", timeout_seconds = -1 }');
    expect(lineOfKey(toml, ['tools', 'http', 'timeout_seconds'])).toBe(3);
  });

  it('finds quoted keys', () => {
    const toml = text('[agent]', '"id" = "a1"');
    expect(lineOfKey(toml, ['agent', 'id'])).toBe(2);
  });

  it('falls back to the array key for an array element', () => {
    const toml = text('[agent]', 'id = "a1"', 'capabilities = ["x", 1]');
    expect(lineOfKey(toml, ['agent', 'capabilities', 1])).toBe(3);
  });

  it('points a missing key at its table header, and is undefined when neither exists', () => {
    const toml = text('[agent]', 'id = "a1"', '[mqtt]', 'broker_url = "embedded"');
    expect(lineOfKey(toml, ['agent', 'description'])).toBe(1);
    expect(lineOfKey(toml, ['llm', 'provider'])).toBeUndefined();
    expect(lineOfKey('', ['agent', 'id'])).toBeUndefined();
  });

  it('does not confuse a key with the same name in another table', () => {
    const toml = text('[mqtt]', 'id = "x"', '[agent]', 'id = "a1"', '[agent.sub]', 'description = "d"');
    expect(lineOfKey(toml, ['agent', 'id'])).toBe(4);
    expect(lineOfKey(toml, ['mqtt', 'id'])).toBe(2);
    expect(lineOfKey(toml, ['agent', 'description'])).toBe(3);
  });

  it('does not match a key that merely starts with the name, or special characters literally', () => {
    const toml = text('[agent]', 'identity = "x"', 'a.b = 1');
    expect(lineOfKey(toml, ['agent', 'id'])).toBe(1);
    expect(lineOfKey(text('[agent]', 'axb = 1'), ['agent', 'a.b'])).toBe(1);
  });
});
