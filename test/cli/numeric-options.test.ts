// Every numeric option of every command goes through the one parser (option-numbers.ts): a bad value is a
// usage error (64) naming the option, raised while parsing, before anything is read or connected.
import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';

import { EXIT_USAGE, createProgram } from '../../src/cli/cli-program.js';
import { COUNT, MILLISECONDS, PORT, SECONDS, parsePositive, positive } from '../../src/cli/option-numbers.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';
import { freePort } from '../helpers/free-port.js';

/** Option-argument names that hold a number. */
const NUMERIC = /[<[](seconds|ms|n|port)[\]>]/;

/** Every [command path, option] of the tree whose argument is a number. */
function numericOptions(cmd: Command, path: string[] = []): Array<[string[], Option]> {
  const here = cmd.options.filter((o) => NUMERIC.test(o.flags)).map((o): [string[], Option] => [path, o]);
  return [...here, ...cmd.commands.flatMap((c) => numericOptions(c, [...path, c.name()]))];
}

const OPTIONS = numericOptions(createProgram());
const BAD = ['abc', '0', '-5', '', ' 5', '1e3', '0x10', 'Infinity', 'NaN', '99999999999999999'];

describe('parsePositive', () => {
  it('accepts plain positive decimals (whole numbers for whole kinds) up to the maximum', () => {
    expect(parsePositive('2.5', SECONDS)).toBe(2.5);
    expect(parsePositive('.5', SECONDS)).toBe(0.5);
    expect(parsePositive('30', SECONDS)).toBe(30);
    expect(parsePositive('2147483', SECONDS)).toBe(2_147_483);
    expect(parsePositive('1000', MILLISECONDS)).toBe(1000);
    expect(parsePositive('65535', PORT)).toBe(65_535);
    expect(positive(COUNT)('7')).toBe(7);
  });

  it.each([
    ['abc', SECONDS],
    ['0', SECONDS],
    ['-5', SECONDS],
    ['', SECONDS],
    ['1e3', SECONDS],
    ['0x10', SECONDS],
    ['Infinity', SECONDS],
    [' 5', SECONDS],
    ['2147484', SECONDS], // a longer timer would fire at once
    ['1.5', COUNT],
    ['1.0', MILLISECONDS],
    ['65536', PORT],
  ])('rejects %j as %o with commander’s invalid-argument error', (value, kind) => {
    expect(() => parsePositive(value, kind)).toThrow(
      expect.objectContaining({ code: 'commander.invalidArgument' }),
    );
  });
});

describe('every numeric option', () => {
  it('is found, and each has the shared parser', () => {
    const names = OPTIONS.map(([path, o]) => `${path.join(' ')} ${o.long ?? ''}`);
    for (const expected of [
      'inject --wait',
      'inject --discovery-timeout',
      'inject --stale-after',
      'inject --connect-timeout',
      'pipeline --timeout',
      'pipeline --connect-timeout',
      'monitor --count',
      'monitor --duration',
      'agents --wait',
      'agents --stale-after',
      'health --port',
      'health --timeout',
    ])
      expect(names).toContain(expected);
    for (const [path, o] of OPTIONS) expect(o.parseArg, `${path.join(' ')} ${o.flags}`).toBeDefined();
  });

  it.each(OPTIONS.map(([path, o]) => [`${path.join(' ')} ${o.long ?? ''}`, path, o] as const))(
    '%s: bad values are usage errors (64) naming the option, before connecting',
    async (_name, path, option) => {
      const broker = ['--broker-url', `mqtt://127.0.0.1:${await freePort()}`];
      const target = path[0] === 'inject' ? ['--agent-id', 'a', '--message', 'm'] : [];
      const connects = option.long === '--connect-timeout' ? [] : ['--connect-timeout', '1'];
      const before = path[0] === 'health' ? [] : [...broker, ...connects, ...target];
      for (const bad of BAD) {
        const r = await runCliInProcess([...path, ...before, option.long!, bad]);
        expect(r.code, `${option.long} ${JSON.stringify(bad)}: ${r.stderr}`).toBe(EXIT_USAGE);
        expect(r.stderr).toContain(option.long);
      }
    },
  );

  it('HEALTH_PORT is checked by the same parser, naming the variable', async () => {
    const before = process.env.HEALTH_PORT;
    process.env.HEALTH_PORT = '80x';
    try {
      const r = await runCliInProcess(['health']);
      expect(r.code).toBe(EXIT_USAGE);
      expect(r.stderr).toContain('HEALTH_PORT');
    } finally {
      if (before === undefined) delete process.env.HEALTH_PORT;
      else process.env.HEALTH_PORT = before;
    }
  });

  it.each([
    ['inject', '--protocol-version', '3'],
    ['health', '--endpoint', 'metrics'],
  ])('%s %s %s (not one of the choices) is a usage error (64)', async (cmd, flag, value) => {
    const r = await runCliInProcess([cmd, flag, value]);
    expect(r.code).toBe(EXIT_USAGE);
    expect(r.stderr).toContain(flag);
  });
});

describe('missing options', () => {
  it.each([
    ['inject without a target', ['inject', '--message', 'm'], ['--agent-id', '--capability']],
    ['inject --agent-id without its value', ['inject', '--agent-id'], ['--agent-id']],
    ['pipeline without what to send', ['pipeline'], ['--agents', '--topic', '--file']],
    ['monitor --count without its value', ['monitor', '--count'], ['--count']],
  ])('%s exits 64 naming the option', async (_name, args, named) => {
    const r = await runCliInProcess([...args]);
    expect(r.code).toBe(EXIT_USAGE);
    for (const flag of named) expect(r.stderr).toContain(flag);
  });
});
