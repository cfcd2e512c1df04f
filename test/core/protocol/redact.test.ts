import { describe, expect, it } from 'vitest';

import {
  MAX_ERROR_MESSAGE_CHARS,
  MAX_REDACTED_INPUT_CHARS,
  applyRedactionRules,
  redactErrorMessage,
  registerSecret,
} from '../../../src/core/protocol/redact.js';

describe('RULE-002: redactErrorMessage', () => {
  it('RULE-002: removes stack trace lines and joins the rest', () => {
    const err = new Error('boom');
    const out = redactErrorMessage(err.stack!);
    expect(err.stack).toMatch(/\n\s+at /);
    expect(out).toBe('Error: boom');
  });

  it('RULE-002: keeps non-stack lines of a multi-line message', () => {
    expect(redactErrorMessage('first\nsecond\n    at f (x.js:1:1)')).toBe('first second');
  });

  it.each([
    ['api_key=sk-abcdefghijklmnop failed', 'api_key=*** failed'],
    ['API-KEY: hunter22 rejected', 'API-KEY:*** rejected'],
    ['token=abc123&x=1', 'token=***&x=1'],
    ['password: "two words" wrong', 'password:*** wrong'],
    ["client_secret='s3cr3t'", 'client_secret=***'],
    ['body {"api_key":"abc123","model":"m"}', 'body {"api_key":***,"model":"m"}'],
  ])('RULE-002: masks key=value secrets: %j', (input, expected) => {
    expect(redactErrorMessage(input)).toBe(expected);
  });

  it('RULE-002: masks Bearer tokens, also inside an Authorization header', () => {
    expect(redactErrorMessage('sent Bearer abc.def-ghi_123')).toBe('sent Bearer ***');
    const out = redactErrorMessage('Authorization: Bearer abc.def-ghi_123 was refused');
    expect(out).not.toContain('abc.def');
    expect(out).toContain('refused');
  });

  it('RULE-002: masks bare provider keys (sk-…, pk-…)', () => {
    const out = redactErrorMessage(
      'Incorrect API key provided: sk-proj-AbCdEf123456789 and pk-live_abcdefgh',
    );
    expect(out).not.toMatch(/AbCdEf|live_abcdefgh/);
    expect(out).toContain('sk-***');
  });

  it('RULE-002: masks registered secrets wherever they appear', () => {
    registerSecret('opaque-value-XYZ');
    expect(redactErrorMessage('upstream said opaque-value-XYZ is wrong (opaque-value-XYZ)')).toBe(
      'upstream said *** is wrong (***)',
    );
  });

  it('RULE-002: ignores secrets too short to mask safely', () => {
    registerSecret('ab');
    registerSecret(undefined);
    expect(redactErrorMessage('abc tab')).toBe('abc tab');
  });

  it.each([
    ['connect to mqtt://broker.internal:1883 failed', 'connect to <url> failed'],
    ['GET https://user:pw@api.corp.example/v1?q=1 → 500', 'GET <url> → 500'],
    ['connect ECONNREFUSED 10.0.0.5:8080', 'connect ECONNREFUSED <address>'],
    ['no route to 192.168.1.20', 'no route to <address>'],
    ['db.prod.internal:5432 is down', '<host> is down'],
    ['redis.default.svc unreachable', '<host> unreachable'],
    ["ENOENT: open '/etc/agent/secret.toml'", "ENOENT: open '<path>'"],
    ['cannot read /home/me/.config/app', 'cannot read <path>'],
    ['cannot read C:\\Users\\me\\key.pem', 'cannot read <path>'],
  ])('RULE-002: replaces URLs, hosts, IPs and paths: %j', (input, expected) => {
    expect(redactErrorMessage(input)).toBe(expected);
  });

  it('leaves ordinary text alone', () => {
    const text = 'the model returned 3 tool calls; auth failed for user 42';
    expect(redactErrorMessage(text)).toBe(text);
  });

  it('never returns an empty message', () => {
    expect(redactErrorMessage('')).toBe('error');
    expect(redactErrorMessage('    at f (x.js:1:1)')).toBe('error');
  });

  it('RULE-002: caps messages at 500 characters with an ellipsis', () => {
    expect(MAX_ERROR_MESSAGE_CHARS).toBe(500);
    const out = redactErrorMessage('x'.repeat(2000));
    expect(out).toHaveLength(500);
    expect(out.endsWith('…')).toBe(true);
    expect(redactErrorMessage('y'.repeat(500))).toBe('y'.repeat(500));
  });

  it('RULE-002: caps after redaction, so a secret near the cut is not half-kept', () => {
    const out = redactErrorMessage(`${'x'.repeat(490)} token=ABCDEFGHIJKLMNOP`);
    expect(out).not.toContain('ABCDEF');
    expect(out.length).toBeLessThanOrEqual(500);
  });
});

// Issue 14, item 4: inputs built to make a backtracking pattern take super-linear time (the rules are
// linear: test/core/untrusted-regex.test.ts, bench/scrub-redos.ts). The rules alone run on the whole
// text here; redactErrorMessage reads at most MAX_REDACTED_INPUT_CHARS of a message.
describe('redaction of adversarial input', () => {
  const KB256 = 256 * 1024;
  const fill = (unit: string, size = KB256): string => unit.repeat(Math.ceil(size / unit.length));

  it('a 256 KB host name: an internal one is one <host>, another is left alone', () => {
    expect(applyRedactionRules(`${fill('a.')}internal`)).toBe('<host>');
    expect(applyRedactionRules(`down: ${fill('a-b.')}lan:8080!`)).toBe('down: <host>!');
    const other = `${fill('a.')}example`;
    expect(applyRedactionRules(other)).toBe(other);
  });

  it('a 256 KB path is one <path>', () => {
    expect(applyRedactionRules(`open ${fill('/a')} failed`)).toBe('open <path> failed');
  });

  it('a URL with a 256 KB host name is one <url>', () => {
    expect(applyRedactionRules(`GET http://${fill('a.')}internal/x failed`)).toBe('GET <url> failed');
  });

  it('a long run of pwd- is a secret name only where it is followed by = or :', () => {
    const run = fill('pwd-');
    expect(applyRedactionRules(run)).toBe(run);
    expect(applyRedactionRules(`${run}=hunter2 ok`)).toBe(`${run}=*** ok`);
    expect(applyRedactionRules(`${run}! token: hunter2`)).toBe(`${run}! token:***`);
  });

  it.each(['a=', 'a: ', '_a://', '1://', 'a.', 'a-', '"a":"', '/', 'C:', 'Bearer'])(
    'a long run of %j with nothing to redact is left alone',
    (unit) => {
      const input = fill(unit);
      expect(applyRedactionRules(input)).toBe(input);
    },
  );

  // What two units become (the same as before the patterns were made linear, at any length).
  it.each([
    ['token: ', 'token:*** '],
    ['password="', 'password=***'],
    ['Bearer ', 'Bearer *** '],
    ['1.1.1.1:', '<address>.1.1.1:'],
  ])('a long run of %j redacts every value and only values', (unit, perTwoUnits) => {
    const pairs = Math.ceil(KB256 / (2 * unit.length));
    expect(applyRedactionRules(`${unit.repeat(2 * pairs)}|`)).toBe(`${perTwoUnits.repeat(pairs)}|`);
  });

  it('reads at most MAX_REDACTED_INPUT_CHARS of a message, less the word the cut went through', () => {
    const id = fill('pwd-', 60_000);
    expect(redactErrorMessage(`invalid conversation_id ${id}`)).toBe('invalid conversation_id …');
    const url = `http://${'x'.repeat(MAX_REDACTED_INPUT_CHARS - 14)}`;
    // the cut goes through a provider key 5 characters in: no short `sk-AB` is left to read
    const out = redactErrorMessage(`${url} sk-ABCDEFGHIJKLMNOP tail`);
    expect(out).toBe('<url> …');
  });

  it('masks a registered secret the cut would have gone through (it is masked first)', () => {
    const secret = `reg-${'Q'.repeat(40)}`;
    registerSecret(secret);
    const url = `http://${'x'.repeat(MAX_REDACTED_INPUT_CHARS - 20)}`;
    const out = redactErrorMessage(`${url} ${secret} ${'y'.repeat(100)}`);
    expect(out).toBe('<url> *** …');
  });
});
