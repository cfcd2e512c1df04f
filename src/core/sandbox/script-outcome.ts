// How a script call's outcome and log lines, as the script host reports them, reach the agent.
import type { LoggerV1 } from '@agent2389/tool-sdk';
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
import { LOG_LEVELS, type LogLevel, type RunOutcome } from './script-host/protocol.js';

export type Failure = Pick<ExecutionResult, 'error'> &
  Partial<Pick<ExecutionResult, 'timedOut' | 'outputTruncated'>>;
export type Outcome = { ok: true; value: unknown } | Failure;

/** The result of one call of `tool`, from what the child decided (hostile input: any shape may arrive). */
export function toOutcome(tool: string, limits: ScriptLimits, o: RunOutcome): Outcome {
  const unreadable = (): Failure => ({
    error: new ERR_SCRIPT_FAILED({ tool, reason: 'the script host sent an unreadable outcome' }),
  });
  if (typeof o !== 'object' || o === null) return unreadable();
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
    default:
      return unreadable();
  }
}

/** A script's host.log line, to the call's logger. */
export function forwardLog(log: LoggerV1, tool: string, level: LogLevel, message: string): void {
  try {
    log[LOG_LEVELS.includes(level) ? level : 'info']({ tool, source: 'script' }, message);
  } catch {
    // A broken logger must not break the call.
  }
}
