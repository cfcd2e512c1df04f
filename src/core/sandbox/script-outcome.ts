// How a script call's outcome and log lines, as the script host reports them, reach the agent.
import type { LoggerV1 } from '../../../tool-sdk/src/index.js';
import {
  ERR_SCRIPT_FAILED,
  ERR_SCRIPT_HOST_CRASHED,
  ERR_SCRIPT_MEMORY_LIMIT,
  ERR_SCRIPT_WASM_DISABLED,
  ERR_TOOL_OUTPUT_TOO_LARGE,
  ERR_TOOL_TIMEOUT,
  reasonOf,
} from '../errors.js';
import type { ExecutionResult, ScriptLimits } from './execution.js';
import type { LogLevel, RunOutcome } from './script-host/protocol.js';

export type Failure = Pick<ExecutionResult, 'error'> &
  Partial<Pick<ExecutionResult, 'timedOut' | 'outputTruncated'>>;
export type Outcome = { ok: true; value: unknown } | Failure;

/** The result of one call of `tool`, from what the child decided. */
export function toOutcome(tool: string, limits: ScriptLimits, o: RunOutcome): Outcome {
  switch (o.kind) {
    case 'ok':
      try {
        return { ok: true, value: JSON.parse(o.json) as unknown };
      } catch (e) {
        return { error: new ERR_SCRIPT_FAILED({ tool, reason: `unreadable result: ${reasonOf(e)}` }) };
      }
    case 'failed':
      return { error: new ERR_SCRIPT_FAILED({ tool, reason: o.reason }) };
    case 'host-memory':
      return { error: new ERR_SCRIPT_HOST_CRASHED({ tool, reason: o.reason }) };
    case 'wasm-disabled':
      return { error: new ERR_SCRIPT_WASM_DISABLED({ tool, reason: o.reason }) };
    case 'timeout':
      return { timedOut: true, error: new ERR_TOOL_TIMEOUT({ tool, timeoutMs: limits.timeoutMs }) };
    case 'memory':
      return { error: new ERR_SCRIPT_MEMORY_LIMIT({ tool, memoryLimitMb: limits.memoryLimitMb }) };
    case 'too-large':
      return {
        outputTruncated: true,
        error: new ERR_TOOL_OUTPUT_TOO_LARGE({ tool, stream: 'result', limitBytes: limits.maxOutputBytes }),
      };
  }
}

/** A script's host.log line, to the call's logger. */
export function forwardLog(log: LoggerV1, tool: string, level: LogLevel, message: string): void {
  try {
    log[level]({ tool, source: 'script' }, message);
  } catch {
    // A broken logger must not break the call.
  }
}
