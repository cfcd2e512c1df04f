import { Writable } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { boundLogger } from '../../../src/core/observability/bound-logger.js';
import { createLogger, setLogLevel } from '../../../src/core/observability/logger.js';

function pinoInto(level = 'info'): {
  log: ReturnType<typeof createLogger>;
  lines: () => Record<string, unknown>[];
} {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const log = createLogger({ level, format: 'json', destination: stream, bindings: { agent_id: 'a1' } });
  const lines = (): Record<string, unknown>[] =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { log, lines };
}

describe('boundLogger', () => {
  it("adds its fields to every line, after the parent's and before the call's", () => {
    const { log, lines } = pinoInto();
    const task = boundLogger(log, { task_id: 't1', conversation_id: 'c1' });
    task.info({ outcome: 'responded', duration_ms: 3 }, 'task finished');
    task.warn('plain message');
    const [first, second] = lines();
    expect(first).toMatchObject({
      level: 'info',
      agent_id: 'a1',
      task_id: 't1',
      conversation_id: 'c1',
      outcome: 'responded',
      duration_ms: 3,
      msg: 'task finished',
    });
    expect(Object.keys(first!).indexOf('task_id')).toBeLessThan(Object.keys(first!).indexOf('outcome'));
    expect(second).toMatchObject({ level: 'warn', task_id: 't1', msg: 'plain message' });
  });

  it('lets the call override a bound field, and never changes the caller object', () => {
    const { log, lines } = pinoInto();
    const fields = { task_id: 'other' };
    boundLogger(log, { task_id: 't1' }).info(fields);
    expect(lines()[0]).toMatchObject({ task_id: 'other' });
    expect(fields).toEqual({ task_id: 'other' });
  });

  it('serializes an Error passed first as `err`, with its message and stack', () => {
    const { log, lines } = pinoInto();
    boundLogger(log, { task_id: 't1' }).error(new Error('boom'), 'tool crashed');
    const [line] = lines();
    expect(line).toMatchObject({
      task_id: 't1',
      msg: 'tool crashed',
      err: { message: 'boom', type: 'Error' },
    });
    expect(String((line!.err as { stack: string }).stack)).toContain('boom');
  });

  it("follows the parent's level as it changes (a live [log] level reload)", () => {
    const { log, lines } = pinoInto('info');
    const task = boundLogger(log, { task_id: 't1' });
    task.debug('hidden');
    setLogLevel(log, 'debug');
    task.debug('shown');
    setLogLevel(log, 'error');
    task.warn('hidden too');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('makes a real child carrying both sets of fields', () => {
    const { log, lines } = pinoInto();
    boundLogger(log, { task_id: 't1' }).child({ tool: 'echo' }).info('called');
    expect(lines()[0]).toMatchObject({ agent_id: 'a1', task_id: 't1', tool: 'echo', msg: 'called' });
  });

  it('works over any LoggerV1 (no isLevelEnabled): every level is passed on', () => {
    const calls: unknown[][] = [];
    const fake = {
      debug: (...a: unknown[]) => calls.push(['debug', ...a]),
      info: (...a: unknown[]) => calls.push(['info', ...a]),
      warn: (...a: unknown[]) => calls.push(['warn', ...a]),
      error: (...a: unknown[]) => calls.push(['error', ...a]),
      child: () => fake,
    };
    const task = boundLogger(fake, { task_id: 't1' });
    task.debug({ a: 1 });
    task.info('hi');
    expect(calls).toEqual([
      ['debug', { task_id: 't1', a: 1 }],
      ['info', { task_id: 't1' }, 'hi'],
    ]);
  });
});
