// What a tool process did → a coded outcome: the runtime's reasons first, then the exit status, then stdout.
import { describe, expect, it } from 'vitest';

import { ERR_TOOL_TIMEOUT } from '../../../src/core/errors.js';
import type { SubprocessLimits } from '../../../src/core/sandbox/execution.js';
import { StreamCap } from '../../../src/core/sandbox/output-cap.js';
import type { RawOutcome } from '../../../src/core/sandbox/supervise.js';
import { parseToolOutput, toolOutcome } from '../../../src/core/sandbox/tool-outcome.js';

const limits = { timeoutMs: 5000, maxOutputBytes: 1024 } as SubprocessLimits;

function cap(text: string): StreamCap {
  const c = new StreamCap(1024, 'head');
  c.push(Buffer.from(text));
  return c;
}

/** A process that exited 0 with `stdout`, changed by `fields`. */
function raw(
  stdout: string,
  fields: Partial<Omit<RawOutcome, 'stdout' | 'stderr'>> = {},
  stderr = '',
): RawOutcome {
  return { exitCode: 0, signal: null, groupGone: true, ...fields, stdout: cap(stdout), stderr: cap(stderr) };
}

const outcome = (r: RawOutcome, abortReason?: unknown) => toolOutcome('t', '/bin/t', r, limits, abortReason);

describe('toolOutcome', () => {
  it('a clean exit with one JSON value on stdout is the value', () => {
    expect(outcome(raw(' {"ok":1}\n'))).toEqual({ ok: true, value: { ok: 1 } });
  });

  it('a spawn error wins over everything else', () => {
    const r = outcome(raw('{}', { spawnError: new Error('ENOENT'), stopReason: 'timeout' }));
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'AGENT_ERR_TOOL_SPAWN_FAILED',
        data: { tool: 't', command: '/bin/t', reason: 'ENOENT' },
      },
    });
  });

  it.each([
    ['stdout', { code: 'AGENT_ERR_TOOL_OUTPUT_TOO_LARGE', data: { stream: 'stdout', limitBytes: 1024 } }],
    ['stderr', { code: 'AGENT_ERR_TOOL_OUTPUT_TOO_LARGE', data: { stream: 'stderr', limitBytes: 1024 } }],
    ['timeout', { code: 'AGENT_ERR_TOOL_TIMEOUT', data: { tool: 't', timeoutMs: 5000 } }],
    ['shutdown', { code: 'AGENT_ERR_CLOSED' }],
  ] as const)('stopped for %s → %o, whatever the exit status', (stopReason, error) => {
    expect(outcome(raw('{}', { stopReason, signal: 'SIGKILL', exitCode: null }))).toMatchObject({
      ok: false,
      error,
    });
  });

  it('an abort returns the caller’s coded reason as is, anything else as a SIGTERM exit with it as cause', () => {
    const reason = new ERR_TOOL_TIMEOUT({ tool: 'task', timeoutMs: 1 });
    expect(outcome(raw('', { stopReason: 'abort', signal: 'SIGTERM', exitCode: null }), reason)).toEqual({
      ok: false,
      error: reason,
    });
    const plain = new Error('user cancelled');
    const r = outcome(raw('', { stopReason: 'abort', signal: null, exitCode: 143 }, 'bye\n'), plain);
    expect(r).toMatchObject({
      ok: false,
      error: {
        code: 'AGENT_ERR_TOOL_EXIT',
        data: { signal: 'SIGTERM', exitCode: 143, stderr: 'bye' },
        cause: plain,
      },
    });
    const killed = outcome(raw('', { stopReason: 'abort', signal: 'SIGKILL', exitCode: null }), plain);
    expect(killed).toMatchObject({ ok: false, error: { data: { signal: 'SIGKILL', stderr: '' } } });
    expect(killed.ok === false && Object.hasOwn(killed.error.data as object, 'exitCode')).toBe(false);
  });

  it('a non-zero exit or a signal is a tool exit with stderr, even with valid JSON on stdout', () => {
    expect(outcome(raw('{}', { exitCode: 2 }, 'no such file\n'))).toMatchObject({
      ok: false,
      error: { code: 'AGENT_ERR_TOOL_EXIT', data: { exitCode: 2, stderr: 'no such file' } },
    });
    expect(outcome(raw('{}', { exitCode: null, signal: 'SIGSEGV' }))).toMatchObject({
      ok: false,
      error: { code: 'AGENT_ERR_TOOL_EXIT', data: { signal: 'SIGSEGV' } },
    });
  });

  it.each([
    'prlimit: failed to execute /plugins/p/tool.py: No such file or directory',
    'setpriv: failed to execute tool: Permission denied',
    'bwrap: execvp /tool: No such file or directory',
  ])('a wrapper that could not exec the tool is a spawn failure: %s', (stderr) => {
    expect(outcome(raw('', { exitCode: 127 }, stderr))).toMatchObject({
      ok: false,
      error: { code: 'AGENT_ERR_TOOL_SPAWN_FAILED', data: { reason: stderr } },
    });
  });
});

describe('parseToolOutput', () => {
  it('needs exactly one JSON value', () => {
    expect(parseToolOutput('t', '\n')).toMatchObject({
      ok: false,
      error: { code: 'AGENT_ERR_TOOL_BAD_OUTPUT', data: { reason: 'stdout is empty' } },
    });
    const two = parseToolOutput('t', '{} {}');
    expect(two).toMatchObject({ ok: false, error: { code: 'AGENT_ERR_TOOL_BAD_OUTPUT' } });
    expect(two.ok === false && String((two.error.data as { reason: string }).reason)).toMatch(
      /^stdout is not one JSON value \(/,
    );
    expect(parseToolOutput('t', '"text"')).toEqual({ ok: true, value: 'text' });
  });
});
