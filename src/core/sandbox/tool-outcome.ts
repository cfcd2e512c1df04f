// Turn what a tool process did (exit, output, why it was stopped) into a coded success or failure.
import {
  AgentError,
  ERR_CLOSED,
  ERR_TOOL_BAD_OUTPUT,
  ERR_TOOL_EXIT,
  ERR_TOOL_OUTPUT_TOO_LARGE,
  ERR_TOOL_SPAWN_FAILED,
  ERR_TOOL_TIMEOUT,
} from '../errors.js';
import type { SubprocessLimits } from './execution.js';
import type { RawOutcome } from './supervise.js';

export type ToolOutcome = { ok: true; value: unknown } | { ok: false; error: AgentError };

/** A wrapper (setpriv, prlimit, bwrap) could not exec the tool, e.g. a missing shebang interpreter. */
const WRAPPER_EXEC_FAILED = /^(?:setpriv|prlimit): failed to execute .*$|^bwrap: execvp .*$/;

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Parse stdout as exactly one JSON value (surrounding whitespace allowed). */
export function parseToolOutput(tool: string, stdout: string): ToolOutcome {
  const text = stdout.trim();
  if (text === '') return { ok: false, error: new ERR_TOOL_BAD_OUTPUT({ tool, reason: 'stdout is empty' }) };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    const reason = `stdout is not one JSON value (${shorten((err as Error).message, 160)})`;
    return { ok: false, error: new ERR_TOOL_BAD_OUTPUT({ tool, reason }) };
  }
}

/**
 * First the runtime's own reasons (spawn failure, output cap, time limit, shutdown, abort), then the
 * tool's exit status, then its output. `abortReason` is the caller's `signal.reason`: an AgentError
 * there (say a task timeout) is returned as is; anything else becomes ERR_TOOL_EXIT with it as cause.
 */
export function toolOutcome(
  tool: string,
  command: string,
  raw: RawOutcome,
  limits: SubprocessLimits,
  abortReason: unknown,
): ToolOutcome {
  const stderr = raw.stderr.text().trim();
  if (raw.spawnError)
    return {
      ok: false,
      error: new ERR_TOOL_SPAWN_FAILED(
        { tool, command, reason: raw.spawnError.message },
        { cause: raw.spawnError },
      ),
    };
  switch (raw.stopReason) {
    case 'stdout':
    case 'stderr':
      return {
        ok: false,
        error: new ERR_TOOL_OUTPUT_TOO_LARGE({
          tool,
          stream: raw.stopReason,
          limitBytes: limits.maxOutputBytes,
        }),
      };
    case 'timeout':
      return { ok: false, error: new ERR_TOOL_TIMEOUT({ tool, timeoutMs: limits.timeoutMs }) };
    case 'shutdown':
      return { ok: false, error: new ERR_CLOSED({}) };
    case 'abort':
      if (AgentError.is(abortReason)) return { ok: false, error: abortReason };
      return {
        ok: false,
        error: new ERR_TOOL_EXIT(
          {
            tool,
            signal: raw.signal ?? 'SIGTERM',
            ...(raw.exitCode !== null && { exitCode: raw.exitCode }),
            stderr,
          },
          { cause: abortReason },
        ),
      };
    case undefined:
      break;
  }
  if (raw.signal !== null || raw.exitCode !== 0) {
    if (WRAPPER_EXEC_FAILED.test(stderr))
      return { ok: false, error: new ERR_TOOL_SPAWN_FAILED({ tool, command, reason: stderr }) };
    const data = raw.signal !== null ? { signal: raw.signal } : { exitCode: raw.exitCode ?? undefined };
    return { ok: false, error: new ERR_TOOL_EXIT({ tool, ...data, stderr }) };
  }
  return parseToolOutput(tool, raw.stdout.text());
}
