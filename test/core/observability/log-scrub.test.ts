import { randomUUID } from 'node:crypto';

import { describe, expect, it } from 'vitest';

import { scrubLogLine } from '../../../src/core/observability/log-scrub.js';
import { registerSecret } from '../../../src/core/protocol/redact.js';

/** A secret value no other test registers (the registry is process-global). */
const uniqueSecret = (): string => `s3cr3t-${randomUUID()}`;

/** A pino-like JSON log line with `fields` after the usual ones. */
const line = (fields: Record<string, unknown>): string =>
  JSON.stringify({ level: 'info', time: '2025-01-01T00:00:00.000Z', agent: 'a1', ...fields });

const parsed = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

describe('scrubLogLine', () => {
  it('masks a registered secret wherever it appears', () => {
    const secret = uniqueSecret();
    registerSecret(secret);
    const out = scrubLogLine(line({ msg: `connecting with ${secret}`, note: `again ${secret}!` }));
    expect(out).not.toContain(secret);
    expect(parsed(out)).toMatchObject({ msg: 'connecting with ***', note: 'again ***!' });
  });

  it('leaves a value alone until it is registered', () => {
    const secret = uniqueSecret();
    expect(scrubLogLine(`value ${secret}`)).toBe(`value ${secret}`);
  });

  it('masks bearer tokens', () => {
    expect(scrubLogLine('sent Authorization: Bearer eyJhbGciOi.J9x-y_z+/= to the API')).toBe(
      'sent Authorization: Bearer *** to the API',
    );
    expect(scrubLogLine('bearer abc.def')).toBe('Bearer ***');
  });

  it.each(['sk', 'pk', 'rk'])('masks %s- keys', (prefix) => {
    const out = scrubLogLine(`key ${prefix}-proj_AbC123xyz-987 rejected`);
    expect(out).toBe(`key ${prefix}-*** rejected`);
  });

  it('leaves short sk- words and words merely containing sk- alone', () => {
    expect(scrubLogLine('sk-short task-1234567890 disk-usage-monitor')).toBe(
      'sk-short task-1234567890 disk-usage-monitor',
    );
  });

  it.each([
    'api_key',
    'apiKey',
    'token',
    'password',
    'Authorization',
    'client_secret',
    'x-api-key',
    'refresh_token',
  ])('masks the JSON string field %s and keeps the line valid JSON with the other fields', (name) => {
    const input = line({ msg: 'request sent', [name]: 'hunter2-value', status: 200 });
    const out = scrubLogLine(input);
    expect(out).not.toContain('hunter2-value');
    expect(parsed(out)).toEqual({ ...parsed(input), [name]: '***' });
  });

  it('masks a nested JSON field named like a secret', () => {
    const input = line({ req: { headers: { authorization: 'Basic dXNlcjpwYXNz', accept: '*/*' } } });
    const out = scrubLogLine(input);
    expect(parsed(out)).toEqual({
      ...parsed(input),
      req: { headers: { authorization: '***', accept: '*/*' } },
    });
  });

  it('masks a whole secret value containing escaped quotes and backslashes', () => {
    const input = line({ password: 'a"b\\"c\\d"e', after: 'kept' });
    expect(input).toContain('\\"'); // the value really holds escaped quotes
    const out = scrubLogLine(input);
    expect(parsed(out)).toEqual({ ...parsed(input), password: '***' });
  });

  it('masks a secret field written with spaces around the colon', () => {
    expect(scrubLogLine('{"api_key" : "abc123", "n": 1}')).toBe('{"api_key":"***", "n": 1}');
  });

  it('leaves numbers in token-named fields alone (input_tokens, max_tokens)', () => {
    const input = line({ input_tokens: 1234, output_tokens: 56, max_tokens: 4096, msg: 'llm response' });
    expect(scrubLogLine(input)).toBe(input);
  });

  it('a line with number-valued token fields still has its string-valued secret fields masked', () => {
    // The summary line of every task holds input_tokens/output_tokens: the JSON rule is skipped for
    // such a line only when no secret-named field holds a string, wherever it stands.
    const input = line({ output_tokens: 5, note: 'x', refresh_token: 'rt-value-1', input_tokens: 2 });
    expect(parsed(scrubLogLine(input))).toEqual({ ...parsed(input), refresh_token: '***' });
  });

  it.each([
    ['spaces', '{"n":1,"x_token" \t: "tok-value-2"}', '{"n":1,"x_token":"***"}'],
    ['a no-break space (\\s)', '{"n":1,"x_token"\u00a0:\u00a0"tok-value-3"}', '{"n":1,"x_token":"***"}'],
    [
      'JSON quoted in a string',
      '{"msg":"body {\\"api_key\\" : \\"key-value-4\\"}","n":1}',
      '{"msg":"body {\\"api_key\\":\\"***\\"}","n":1}',
    ],
  ])('masks a secret-named string field after a number-valued token field, with %s', (_what, tail, want) => {
    const input = `{"input_tokens":3,${tail.slice(1)}`;
    expect(scrubLogLine(input)).toBe(`{"input_tokens":3,${want.slice(1)}`);
  });

  it('masks key=value pairs in text', () => {
    expect(scrubLogLine('spawn tool --api-key=abc123 --verbose')).toBe('spawn tool --api-key=*** --verbose');
    expect(scrubLogLine('failed: password=hunter2, retrying')).toBe('failed: password=***, retrying');
    expect(scrubLogLine('env OPENAI_API_KEY=abc123 set')).toBe('env OPENAI_API_KEY=*** set');
  });

  it('masks secret parameters of a query string, keeping the others', () => {
    expect(scrubLogLine('GET https://api.example.com/v1?model=gpt&api_key=abc123&token=t0k&page=2')).toBe(
      'GET https://api.example.com/v1?model=gpt&api_key=***&token=***&page=2',
    );
  });

  it('masks key=value inside a JSON string and keeps the line valid JSON', () => {
    const input = line({
      msg: 'GET /v1/models?access_token=abc123&x=1 failed',
      err: { message: 'bad "secret=zzz" given' },
    });
    const out = scrubLogLine(input);
    expect(out).not.toContain('abc123');
    expect(out).not.toContain('zzz');
    expect(parsed(out)).toEqual({
      ...parsed(input),
      msg: 'GET /v1/models?access_token=***&x=1 failed',
      // A quoted value may hold quotes: the mask takes the escaped quote too (more, never less).
      err: { message: 'bad "secret=*** given' },
    });
  });

  it('keeps a whole scrubbed pino line valid JSON with every other field unchanged', () => {
    const secret = uniqueSecret();
    registerSecret(secret);
    const input = line({
      task_id: 't-1',
      input_tokens: 10,
      apiKey: 'k-123456',
      headers: { Authorization: `Bearer ${secret}` },
      msg: `call with sk-abcdefghijkl and token=xyz and ${secret}`,
      stack: 'Error: x\n    at f (/app/x.js:1:1)',
    });
    const out = scrubLogLine(input);
    expect(out).not.toContain(secret);
    expect(parsed(out)).toEqual({
      ...parsed(input),
      apiKey: '***',
      headers: { Authorization: '***' },
      msg: 'call with sk-*** and token=*** and ***',
    });
  });

  it('leaves ordinary text and ordinary JSON unchanged', () => {
    for (const text of [
      'task received',
      'tool echo returned 3 words in 12 ms',
      'Tokenizer loaded; the secret garden is a book',
      'https://example.com/path?page=2&sort=asc',
      line({ msg: 'task completed', task_id: 'abc', duration_ms: 12.5, tool: 'http_request' }),
    ])
      expect(scrubLogLine(text)).toBe(text);
  });

  it('masks JSON quoted inside a message (a provider error body) and "name: value" in text', () => {
    const out = scrubLogLine(
      line({ msg: 'provider said 401 {"api_key":"live_abcdef123456"}', err: 'password: hunter2' }),
    );
    expect(out).not.toContain('live_abcdef123456');
    expect(out).not.toContain('hunter2');
    expect(parsed(out)).toMatchObject({ msg: 'provider said 401 {"api_key":"***"}', err: 'password: ***' });
  });

  it('masks a registered secret holding quotes or backslashes in its escaped form, keeping the JSON valid', () => {
    const quoted = `pa"ss-${randomUUID()}`;
    const slashed = `${randomUUID()}\\`;
    registerSecret(quoted);
    registerSecret(slashed);
    const out = scrubLogLine(line({ msg: `uses ${quoted} and ${slashed} done` }));
    expect(parsed(out)).toMatchObject({ msg: 'uses *** and *** done' });
  });

  it('masks the whole value of a key=value that holds an escaped quote', () => {
    const out = scrubLogLine(line({ msg: 'x password=ab"cdef y' }));
    expect(out).not.toContain('cdef');
    expect(parsed(out)).toMatchObject({ msg: 'x password=*** y' });
  });
});

// Issue 14, item 4: inputs built to make a backtracking pattern take super-linear time. Each is
// scrubbed (in linear time: test/core/untrusted-regex.test.ts, bench/scrub-redos.ts); these check
// that what is masked is still exactly what should be.
describe('scrubLogLine on adversarial input', () => {
  const KB256 = 256 * 1024;
  const fill = (unit: string, size = KB256): string => unit.repeat(Math.ceil(size / unit.length));

  it('a long run of pwd- that is not a name, then a secret pair', () => {
    const run = fill('pwd-');
    expect(scrubLogLine(`${run}! a=b token=hunter2`)).toBe(`${run}! a=b token=***`);
  });

  it('a long run of pwd- that is the name of a pair', () => {
    const run = fill('pwd-');
    expect(scrubLogLine(`${run}=hunter2`)).toBe(`${run}=***`);
  });

  it('a pino line whose conversation id and message repeat pwd- (a hostile envelope, logged)', () => {
    const input = line({ conversation_id: fill('pwd-', 60_000), msg: `"${fill('pwd-', 60_000)}` });
    expect(scrubLogLine(input)).toBe(input);
  });

  it.each(['a=', 'a: ', 'x://', '"a":"', '\\"a\\":\\"', 'a.', '\\\\', '"', 'password="'])(
    'a long run of %j with no secret in it is left alone',
    (unit) => {
      const input = fill(unit);
      expect(scrubLogLine(input)).toBe(input);
    },
  );

  it('a long run of sk- is one provider key', () => {
    expect(scrubLogLine(fill('sk-'))).toBe('sk-***');
  });

  // What two units become (the same as before the patterns were made linear, at any length).
  it.each([
    ['token: ', 'token: *** '],
    ['"token":"', '"token":"***"token":"'],
    ['\\"token\\":\\"', '\\"token\\":\\"***\\"token\\":\\"'],
    ['Bearer ', 'Bearer *** '],
    ['api_key: x ', 'api_key: *** api_key: *** '],
  ])('a long run of %j masks every value and only values', (unit, perTwoUnits) => {
    const pairs = Math.ceil(KB256 / (2 * unit.length));
    expect(scrubLogLine(unit.repeat(2 * pairs))).toBe(perTwoUnits.repeat(pairs));
  });
});
