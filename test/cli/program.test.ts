// The command tree and its exit statuses, run in this process (test/integration/cli-*.test.ts runs the binary).
import { describe, expect, it } from 'vitest';

import { EXIT_UNREACHABLE, EXIT_USAGE, failureOf } from '../../src/cli/cli-program.js';
import { CliConnectError } from '../../src/cli/broker-client.js';
import { UsageError } from '../../src/cli/build-envelope.js';
import { ERR_CONFIG_NOT_FOUND } from '../../src/core/errors.js';
import { VERSION } from '../../src/core/version.js';
import { runCliInProcess } from '../helpers/cli-in-process.js';

describe('failureOf', () => {
  it('maps a usage error to 64, an unreachable broker to 3, a coded error to 1 with its code', () => {
    expect(failureOf(new UsageError('bad flag'))).toEqual({ code: EXIT_USAGE, message: 'bad flag' });
    expect(failureOf(new CliConnectError('no broker'))).toEqual({
      code: EXIT_UNREACHABLE,
      message: 'no broker',
    });
    const coded = failureOf(new ERR_CONFIG_NOT_FOUND({ file: '/nope.toml' }));
    expect(coded.code).toBe(1);
    expect(coded.message).toMatch(/^\[AGENT_ERR_CONFIG_NOT_FOUND\] /);
    expect(failureOf(new Error('boom'))).toEqual({ code: 1, message: 'boom' });
    expect(failureOf('thrown text')).toEqual({ code: 1, message: 'thrown text' });
  });
});

describe('agent2389 (in process)', () => {
  it('--version prints the version and exits 0', async () => {
    const r = await runCliInProcess(['--version']);
    expect(r).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
  });

  it('every command has --help (exit 0)', async () => {
    for (const cmd of ['run', 'validate', 'inject', 'monitor', 'agents', 'pipeline', 'health', 'plugins']) {
      const r = await runCliInProcess([cmd, '--help']);
      expect(r.code, cmd).toBe(0);
      expect(r.stdout, cmd).toContain(`Usage: agent2389 ${cmd}`);
    }
    const r = await runCliInProcess(['plugin', 'init', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: agent2389 plugin init');
  });

  it('an unknown command, an unknown option or a missing argument of any subcommand exits 64', async () => {
    for (const args of [['frobnicate'], ['agents', '--bogus'], ['inject'], ['plugin', 'validate']]) {
      const r = await runCliInProcess(args);
      expect(r.code, args.join(' ')).toBe(EXIT_USAGE);
      expect(r.stderr, args.join(' ')).toMatch(/^error: /);
    }
  });
});
