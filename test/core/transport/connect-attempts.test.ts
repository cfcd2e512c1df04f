// The log policy for failed MQTT connection attempts: info, then one warning with what to check, then debug.
import { describe, expect, it } from 'vitest';

import { ConnectAttempts, LOUD_FAILURES } from '../../../src/core/transport/connect-attempts.js';
import { captureLog } from './mqtt-harness.js';

const make = (hint?: string) => {
  const log = captureLog();
  const attempts = new ConnectAttempts({ log, broker: 'mqtt://b:1883', maxDelayMs: 30_000, hint });
  return { log, attempts };
};

describe('ConnectAttempts', () => {
  it('logs the first attempts at info, warns once at LOUD_FAILURES, then only at debug', () => {
    const { log, attempts } = make('HINT');
    for (let i = 0; i < LOUD_FAILURES + 3; i++) attempts.failed('connect ECONNREFUSED', 100, false);
    expect(log.records.map((r) => r.level)).toEqual(['info', 'info', 'warn', 'debug', 'debug', 'debug']);
    expect(log.records.map((r) => r.obj['attempt'])).toEqual([1, 2, 3, 4, 5, 6]);
    const warn = log.records[2]!;
    expect(warn.msg).toContain('mqtt://b:1883');
    expect(warn.msg).toContain('ECONNREFUSED');
    expect(warn.msg).toContain('HINT');
    expect(warn.msg).toContain('30 s');
  });

  it('a refusal by the broker points at the credentials, not at a missing broker', () => {
    const { log, attempts } = make('HINT');
    for (let i = 0; i < LOUD_FAILURES; i++) attempts.failed('Connection refused: Not authorized', 100, true);
    const warn = log.records[LOUD_FAILURES - 1]!;
    expect(warn.level).toBe('warn');
    expect(warn.msg).toContain('username and password');
    expect(warn.msg).not.toContain('HINT');
  });

  it('says how many attempts failed when it connects, and starts counting again', () => {
    const { log, attempts } = make();
    expect(attempts.connected()).toEqual({ msg: 'MQTT connected' });
    for (let i = 0; i < 4; i++) attempts.failed('x', 1, false);
    expect(attempts.connected()).toEqual({
      failedAttempts: 4,
      msg: 'MQTT connected to mqtt://b:1883 after 4 failed attempt(s)',
    });
    expect(attempts.failures).toBe(0);
    attempts.failed('x', 1, false);
    expect(log.records.at(-1)!.level).toBe('info');
  });
});
