import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';

import { describe, expect, it } from 'vitest';

import { ERR_TOOL_FAILED } from '../../../src/core/errors.js';
import { createLogger, setLogLevel } from '../../../src/core/observability/logger.js';
import { builtFromSource } from '../../helpers/source-build.js';

/** A destination that keeps every chunk written to it. */
function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => chunks.join('') };
}

const jsonLines = (text: string): Record<string, unknown>[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

// eslint-disable-next-line no-control-regex
const stripAnsi = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, '');

describe('createLogger (json)', () => {
  it('writes one JSON line per call with the level label, an ISO time, bindings and fields', () => {
    const out = collector();
    const log = createLogger({
      level: 'info',
      format: 'json',
      destination: out.stream,
      bindings: { agent: 'a1' },
    });
    log.info({ task: 't1' }, 'task received');
    log.warn('careful');
    const lines = jsonLines(out.text());
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 'info', agent: 'a1', task: 't1', msg: 'task received' });
    expect(lines[1]).toMatchObject({ level: 'warn', agent: 'a1', msg: 'careful' });
    const time = lines[0]!.time as string;
    expect(new Date(time).toISOString()).toBe(time);
    expect(lines[0]).not.toHaveProperty('pid');
    expect(lines[0]).not.toHaveProperty('hostname');
  });

  it('adds child bindings', () => {
    const out = collector();
    const log = createLogger({
      level: 'info',
      format: 'json',
      destination: out.stream,
      bindings: { agent: 'a1' },
    });
    log.child({ tool: 'echo' }).info('ready');
    expect(jsonLines(out.text())[0]).toMatchObject({ agent: 'a1', tool: 'echo', msg: 'ready' });
  });

  it('serializes an AgentError logged as { err } with its code, data and cause', () => {
    const out = collector();
    const log = createLogger({ level: 'info', format: 'json', destination: out.stream });
    const cause = new TypeError('socket hang up');
    log.error(
      { err: new ERR_TOOL_FAILED({ tool: 'http', reason: 'socket hang up' }, { cause }) },
      'tool failed',
    );
    const err = jsonLines(out.text())[0]!.err as Record<string, unknown>;
    expect(err).toMatchObject({
      code: 'AGENT_ERR_TOOL_FAILED',
      data: { tool: 'http', reason: 'socket hang up' },
      cause: { type: 'TypeError', message: 'socket hang up' },
    });
    expect(err.message).toContain('http');
    expect(err.stack).toEqual(expect.any(String));
  });

  it('serializes an error logged as { error } the same way', () => {
    const out = collector();
    const log = createLogger({ level: 'info', format: 'json', destination: out.stream });
    log.warn({ error: new ERR_TOOL_FAILED({ tool: 't', reason: 'r' }) }, 'x');
    expect(jsonLines(out.text())[0]!.error).toMatchObject({ code: 'AGENT_ERR_TOOL_FAILED' });
  });

  it('drops calls below the configured level', () => {
    const out = collector();
    const log = createLogger({ level: 'warn', format: 'json', destination: out.stream });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(jsonLines(out.text()).map((l) => [l.level, l.msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
    ]);
  });

  it('writes nothing at level silent', () => {
    const out = collector();
    const log = createLogger({ level: 'silent', format: 'json', destination: out.stream });
    log.error('e');
    expect(out.text()).toBe('');
  });
});

describe('createLogger (pretty)', () => {
  it('writes a single human-readable line per call, synchronously', () => {
    const out = collector();
    const log = createLogger({
      level: 'info',
      format: 'pretty',
      destination: out.stream,
      bindings: { agent: 'a1' },
    });
    log.info({ task: 't1' }, 'task received');
    const text = stripAnsi(out.text());
    expect(text.endsWith('\n')).toBe(true);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO/);
    expect(lines[0]).toContain('task received');
    expect(lines[0]).toContain('t1');
    expect(lines[0]).toContain('a1');
    expect(() => JSON.parse(lines[0]!) as unknown).toThrow();
  });

  it('filters by level too', () => {
    const out = collector();
    const log = createLogger({ level: 'error', format: 'pretty', destination: out.stream });
    log.info('hidden');
    log.error('shown');
    const text = stripAnsi(out.text());
    expect(text).toContain('shown');
    expect(text).not.toContain('hidden');
  });
});

// Issue 14, item 9: a newline in logged data (a tool's log text, an error message, a conversation
// id) must not forge a line of its own, and no control character from data may reach a terminal.
describe('createLogger (control characters in data)', () => {
  const FORGED = '\nFAKE {"level":50,"msg":"forged"}';
  const ESCAPES = '\u001b[2J\u001b[31mred\u009b31m\u0085\u2028\u007f';
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

  /** Log one message, one field and one error, each holding the hostile text. */
  function logHostile(format: 'json' | 'pretty', colorize = false): string {
    const out = collector();
    const log = createLogger({ level: 'info', format, colorize, destination: out.stream });
    log.warn({ tool_log: `tool says${FORGED}`, conversation_id: `c${ESCAPES}` }, `msg${FORGED}${ESCAPES}`);
    log.error({ err: new Error(`boom${FORGED}`) }, 'tool failed');
    return out.text();
  }

  it('pretty: each call is exactly one line, with the control characters shown escaped', () => {
    const lines = logHostile('pretty').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2);
    for (const l of lines) {
      expect(l).not.toMatch(CONTROL);
      expect(l.startsWith('FAKE')).toBe(false);
    }
    expect(lines[0]).toContain('msg\\nFAKE {"level":50,"msg":"forged"}\\u001b[2J\\u001b[31mred');
    expect(lines[0]).toContain('tool says\\nFAKE');
    expect(lines[1]).toMatch(/ERROR/);
    expect(lines[1]).toContain('boom\\nFAKE');
  });

  it("pretty with colours: pino-pretty's colours stay, nothing else of the data is a control character", () => {
    const text = logHostile('pretty', true);
    expect(text).toContain('\u001b['); // pino-pretty's own colouring is on
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(stripAnsi(l)).not.toMatch(CONTROL);
    expect(stripAnsi(lines[0]!)).toContain('\\u001b[2J\\u001b[31mred');
  });

  it('json: each call is one line holding no raw control character, and parses back to the same text', () => {
    const text = logHostile('json');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(2);
    for (const l of lines) expect(l).not.toMatch(CONTROL);
    const [warn, error] = jsonLines(text);
    expect(warn).toMatchObject({
      msg: `msg${FORGED}${ESCAPES}`,
      tool_log: `tool says${FORGED}`,
      conversation_id: `c${ESCAPES}`,
    });
    expect((error!.err as { message: string }).message).toBe(`boom${FORGED}`);
  });
});

describe('setLogLevel', () => {
  it('changes the level of the root and of every child that exists (pino children keep theirs)', () => {
    const out = collector();
    const log = createLogger({ level: 'info', format: 'json', destination: out.stream });
    const child = log.child({ agent_id: 'a1' });
    const grandchild = child.child({ task_id: 't1' });
    grandchild.debug('hidden');
    setLogLevel(log, 'debug');
    grandchild.debug('shown');
    child.debug('shown too');
    log.child({ later: true }).debug('and in a new child');
    setLogLevel(log, 'warn');
    child.info('hidden again');
    expect(jsonLines(out.text()).map((l) => l.msg)).toEqual(['shown', 'shown too', 'and in a new child']);
  });
});

describe('createLogger (secrets)', () => {
  it('censors apiKey, password and token fields, at the top level and one level deep', () => {
    const out = collector();
    const log = createLogger({ level: 'info', format: 'json', destination: out.stream });
    log.info(
      {
        apiKey: 'key-top-1',
        password: 'pw-top-2',
        token: 'tok-top-3',
        provider: { apiKey: 'key-deep-4', name: 'openai' },
        user: { password: 'pw-deep-5', login: 'ann' },
        session: { token: 'tok-deep-6', id: 's1' },
      },
      'configured',
    );
    const text = out.text();
    for (const secret of ['key-top-1', 'pw-top-2', 'tok-top-3', 'key-deep-4', 'pw-deep-5', 'tok-deep-6'])
      expect(text).not.toContain(secret);
    expect(jsonLines(text)[0]).toMatchObject({
      apiKey: '***',
      password: '***',
      token: '***',
      provider: { apiKey: '***', name: 'openai' },
      user: { password: '***', login: 'ann' },
      session: { token: '***', id: 's1' },
      msg: 'configured',
    });
  });

  it('censors the extra paths passed in redact, leaving their siblings', () => {
    const out = collector();
    const log = createLogger({
      level: 'info',
      format: 'json',
      destination: out.stream,
      redact: ['task.input.ssn', '*.card'],
    });
    log.info(
      { task: { input: { ssn: '078-05-1120', name: 'Ann' } }, payment: { card: '4111', amount: 3 } },
      'x',
    );
    const [entry] = jsonLines(out.text());
    expect(entry).toMatchObject({
      task: { input: { ssn: '***', name: 'Ann' } },
      payment: { card: '***', amount: 3 },
    });
    expect(out.text()).not.toContain('078-05-1120');
    expect(out.text()).not.toContain('4111');
  });

  it('scrubs secret-looking values in the message and in an error’s message, keeping the line JSON', () => {
    const out = collector();
    const log = createLogger({ level: 'info', format: 'json', destination: out.stream });
    log.warn('GET /v1?api_key=abc123xyz&page=2 with Bearer eyJ0eXAi.abc failed');
    log.error({ err: new Error('provider refused token=tok987654 (sk-proj1234567890)') }, 'llm failed');
    const text = out.text();
    for (const secret of ['abc123xyz', 'eyJ0eXAi', 'tok987654', 'proj1234567890'])
      expect(text).not.toContain(secret);
    const [warn, error] = jsonLines(text);
    expect(warn!.msg).toBe('GET /v1?api_key=***&page=2 with Bearer *** failed');
    const err = error!.err as { message: string; stack: string };
    expect(err.message).toBe('provider refused token=*** (sk-***)');
    expect(err.stack).toContain('token=***');
  });

  it('writes no secret in the pretty format either', () => {
    const out = collector();
    const log = createLogger({ level: 'info', format: 'pretty', destination: out.stream });
    log.info({ apiKey: 'key-pretty-1', db: { password: 'pw-pretty-2' } }, 'calling with Bearer tok-pretty-3');
    log.error({ err: new Error('rejected api_key=key-pretty-4') }, 'failed');
    const text = stripAnsi(out.text());
    expect(text).toContain('calling with Bearer ***');
    expect(text).toContain('api_key=***');
    for (const secret of ['key-pretty-1', 'pw-pretty-2', 'tok-pretty-3', 'key-pretty-4'])
      expect(text).not.toContain(secret);
  });
});

describe('createLogger (stdout)', () => {
  it('gets every line to stdout when the process exits in the same turn it logged them', async () => {
    // A real process: it logs 20000 lines and calls process.exit() in the same turn.
    const { execa } = await import('execa');
    const logger = pathToFileURL(builtFromSource('logger')).href; // the current source, not dist/
    const script = `
      const { createLogger } = await import(${JSON.stringify(logger)});
      const log = createLogger({ level: 'info', format: 'json' });
      for (let i = 0; i < 20000; i++) log.info({ i }, 'line');
      process.exit(3);`;
    const run = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
    expect(run.exitCode).toBe(3);
    const lines = run.stdout.split('\n');
    expect(lines).toHaveLength(20000);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ i: 19999, msg: 'line' });
  });
});
