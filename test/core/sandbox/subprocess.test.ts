// The external tool protocol through runSubprocess: success, bad output, exit codes, spawn failures, work dir.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { AgentError, ERR_TASK_TIMEOUT } from '../../../src/core/errors.js';
import { runSubprocess } from '../../../src/core/sandbox/subprocess.js';
import { BIN, callOptions, ensureFixtureModes, fixtureSpec, isRoot, payload } from './subprocess-fixtures.js';
import { needs } from '../../helpers/require-tool.js';

interface EchoAnswer {
  received: unknown;
  cwd: string;
  home: string;
  tmpdir: string;
  uid: number;
  groups: string;
  args: string;
}

let base: string;
beforeAll(async () => {
  ensureFixtureModes();
  base = await mkdtemp(join(tmpdir(), 'subprocess-test-'));
});
afterAll(() => rm(base, { recursive: true, force: true }));

describe('runSubprocess: the protocol', () => {
  it('writes one JSON request to stdin and returns the one JSON value the tool prints', async () => {
    const spec = fixtureSpec('echo-json', { workDirBase: base, args: ['one', 'two'] });
    const request = { tool: 'echo', parameters: { text: 'hi' }, config: { k: 1 } };
    const result = await runSubprocess(spec, request, callOptions());
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    const answer = result.value as EchoAnswer;
    expect(answer.received).toEqual(request);
    expect(answer.args).toBe('one two');
    expect(result.timedOut).toBe(false);
    expect(result.outputTruncated).toBe(false);
    expect(result.durationMs).toBeGreaterThan(0);
    expect(result.sandbox).toEqual(
      expect.arrayContaining([
        'process-group',
        'timeout',
        'output-cap',
        'env-allowlist',
        'private-cwd',
        'rlimit',
      ]),
    );
    expect(result.sandbox).not.toContain('bwrap');
    // As root the tool drops to nobody; as any other user it keeps that user.
    expect(result.sandbox.includes('uid-drop')).toBe(isRoot);
  });

  it('runs in a fresh private work dir (cwd, HOME, TMPDIR) that is removed afterwards', async () => {
    const spec = fixtureSpec('echo-json', { workDirBase: base });
    const first = (await runSubprocess(spec, payload(), callOptions())).value as EchoAnswer;
    const second = (await runSubprocess(spec, payload(), callOptions())).value as EchoAnswer;
    expect(dirname(first.cwd)).toBe(base);
    expect(first.cwd).not.toBe(second.cwd);
    expect(first.home).toBe(first.cwd);
    expect(first.tmpdir).toBe(first.cwd);
    expect(existsSync(first.cwd)).toBe(false);
    expect(existsSync(second.cwd)).toBe(false);
  });

  needs('root').it('drops root to nobody:nogroup with no supplementary groups', async () => {
    const answer = (await runSubprocess(fixtureSpec('echo-json'), payload(), callOptions()))
      .value as EchoAnswer;
    expect(answer.uid).toBe(65534);
    expect(answer.groups).toBe('65534');
  });

  it.each([
    ['text', []],
    ['two JSON values', ['two-values']],
    ['nothing', ['empty']],
  ])('exit 0 with %s on stdout is ERR_TOOL_BAD_OUTPUT', async (_what, args) => {
    const result = await runSubprocess(fixtureSpec('non-json', { args }), payload(), callOptions());
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_BAD_OUTPUT');
    expect(result.error?.message.length).toBeLessThan(400);
  });

  it('a non-zero exit is ERR_TOOL_EXIT with the exit code and only the tail of stderr', async () => {
    const result = await runSubprocess(fixtureSpec('exit-nonzero-with-stderr'), payload(), callOptions());
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_EXIT');
    const data = result.error?.data as { exitCode?: number; stderr: string };
    expect(data.exitCode).toBe(3);
    expect(data.stderr.endsWith('the final complaint')).toBe(true);
    expect(data.stderr).not.toContain('noise line 0 ');
    expect(Buffer.byteLength(data.stderr)).toBeLessThanOrEqual(2048);
  });
});

describe('runSubprocess: commands that cannot start', () => {
  it.each([
    ['a missing absolute path', { command: `${BIN}/no-such-tool` }],
    ['a bare name not on the tool PATH', { command: 'echo-json' }],
    ['a relative path', { command: 'bin/echo-json' }],
    ['a script whose interpreter is missing', { command: `${BIN}/missing-interpreter` }],
  ])('%s is ERR_TOOL_SPAWN_FAILED', async (_what, over) => {
    const result = await runSubprocess(fixtureSpec('echo-json', over), payload(), callOptions());
    expect(result.ok).toBe(false);
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_SPAWN_FAILED');
  });

  it('a file without the exec bit is ERR_TOOL_NOT_EXECUTABLE naming it (tool-access.ts)', async () => {
    const command = `${BIN}/not-executable`;
    const result = await runSubprocess(fixtureSpec('echo-json', { command }), payload(), callOptions());
    expect(result.error?.code).toBe('AGENT_ERR_TOOL_NOT_EXECUTABLE');
    expect(result.error?.data).toMatchObject({ tool: 'echo-json', path: command });
  });

  it('a bare name is found on the PATH the tool is allowed', async () => {
    const spec = fixtureSpec('echo-json', { command: 'echo-json', envAllow: ['PATH'] });
    const result = await runSubprocess(
      spec,
      payload(),
      callOptions({ env: { PATH: `${BIN}:/usr/bin:/bin` } }),
    );
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
  });

  it('a call aborted before it starts runs nothing and returns the abort reason when it is coded', async () => {
    const controller = new AbortController();
    controller.abort(new ERR_TASK_TIMEOUT({ timeoutSeconds: 1 }));
    const result = await runSubprocess(
      fixtureSpec('echo-json'),
      payload(),
      callOptions({ signal: controller.signal }),
    );
    expect(result.ok).toBe(false);
    expect(AgentError.is(result.error, 'AGENT_ERR_TASK_TIMEOUT')).toBe(true);
    expect(result.sandbox).toEqual([]);
  });
});
