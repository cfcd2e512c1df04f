import { describe, expect, it } from 'vitest';

import { editDistance, suggestKey } from '../../../src/core/config/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['', 'abc', 3],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['brokr_url', 'broker_url', 1],
    ['qso', 'qos', 2],
    ['Model', 'model', 1],
  ])('editDistance(%j, %j) = %i', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('suggestKey', () => {
  const MQTT_KEYS = ['broker_url', 'username_env', 'password_env', 'qos', 'keep_alive'];

  it('suggests the candidate closest to a misspelt key', () => {
    expect(suggestKey('brokr_url', MQTT_KEYS)).toBe('broker_url');
    expect(suggestKey('pasword_env', MQTT_KEYS)).toBe('password_env');
    expect(suggestKey('keepalive', MQTT_KEYS)).toBe('keep_alive');
  });

  it('prefers the closer of two candidates within the limit', () => {
    expect(suggestKey('max_token', ['max_tokens', 'max_retries'])).toBe('max_tokens');
    expect(suggestKey('max_retrie', ['max_tokens', 'max_retries'])).toBe('max_retries');
  });

  it('keeps the first candidate on a tie', () => {
    expect(suggestKey('modl', ['mode', 'model'])).toBe('mode');
    expect(suggestKey('modl', ['model', 'mode'])).toBe('model');
  });

  it('suggests nothing when every candidate is too far away', () => {
    expect(suggestKey('zzzzzzzz', MQTT_KEYS)).toBeUndefined();
    expect(suggestKey('anything', [])).toBeUndefined();
  });

  it('allows a third of the key length in edits, and at least 2', () => {
    expect(suggestKey('aaaaaaaaa', ['aaaaaabbb'])).toBe('aaaaaabbb');
    expect(suggestKey('aaaaaaaaa', ['aaaaabbbb'])).toBeUndefined();
    expect(suggestKey('ab', ['cd'])).toBe('cd');
    expect(suggestKey('ab', ['cde'])).toBeUndefined();
  });

  it('compares case-insensitively and returns the candidate as spelt', () => {
    expect(suggestKey('BROKER_URL', MQTT_KEYS)).toBe('broker_url');
    expect(suggestKey('Keep_Alive', MQTT_KEYS)).toBe('keep_alive');
    expect(suggestKey('qos', ['QoS'])).toBe('QoS');
  });
});
