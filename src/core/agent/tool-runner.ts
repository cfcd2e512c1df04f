// Run one tool call: allow-list, schema validation, execution, output cap. Failures become error results.
import { ToolError, type LoggerV1, type ToolCallContext, type ToolCallV1 } from '@agent2389/tool-sdk';
import {
  AgentError,
  ERR_TOOL_FAILED,
  ERR_TOOL_INVALID_PARAMS,
  ERR_TOOL_NOT_ALLOWED,
  reasonOf,
} from '../errors.js';
import { DEFAULT_MODULE_TIMEOUT_MS } from '../sandbox/limits.js';
import { withDeadline } from './tool-deadline.js';
import type { ToolExecutor, ToolRegistry } from './tool-registry.js';

export interface ToolOutcome {
  readonly ok: boolean;
  /** What the LLM sees: the JSON result, or the error text. */
  readonly content: string;
  readonly error?: AgentError;
  readonly durationMs: number;
  /** The result was cut at max_output_size, or the tool wrote past its sandbox output cap. */
  readonly truncated: boolean;
  /** Where the tool ran; undefined when it never ran (not allowed, invalid parameters, budget). */
  readonly executor?: ToolExecutor;
  /** The sandbox mechanisms that applied to the call (ExecutionResult.sandbox), for sandboxed tools. */
  readonly sandbox?: readonly string[];
  readonly timedOut?: boolean;
}

/** What a sandboxed tool reports about one call, through its call context (ExecutionReporting). */
export interface ExecutionReport {
  readonly sandbox: readonly string[];
  readonly timedOut: boolean;
  readonly outputTruncated: boolean;
}

/** Progress a long-running call reports (an MCP server's notifications/progress). */
export interface ToolProgress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

/** The host's call context: the tool-sdk's, plus channels for sandboxed tools' execution facts and progress. */
export interface HostToolCallContext extends ToolCallContext {
  reportExecution?(report: ExecutionReport): void;
  reportProgress?(progress: ToolProgress): void;
}

/** Cap tool output at `maxBytes`, with a marker saying how much was cut [§6 max_output_size]. */
export function capOutput(text: string, maxBytes: number): { text: string; truncated: boolean } {
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return { text, truncated: false };
  const cut = Buffer.from(text)
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD$/, '');
  return { text: `${cut}\n…[truncated: ${bytes - maxBytes} of ${bytes} bytes omitted]`, truncated: true };
}

function failure(error: AgentError, started: number): ToolOutcome {
  return {
    ok: false,
    content: `Error [${error.code}]: ${error.message}`,
    error,
    durationMs: Date.now() - started,
    truncated: false,
  };
}

/** An AgentError as is; a ToolError keeps its code and data; anything else is wrapped with its message. */
function toolFailure(tool: string, err: unknown): AgentError {
  if (AgentError.is(err)) return err;
  const reason = reasonOf(err);
  if (ToolError.is(err)) {
    return new ERR_TOOL_FAILED(
      { tool, reason, toolCode: err.code, toolData: { ...err.data } },
      { cause: err },
    );
  }
  return new ERR_TOOL_FAILED({ tool, reason }, { cause: err });
}

export async function runToolCall(
  call: ToolCallV1,
  registry: ToolRegistry,
  opts: {
    signal: AbortSignal;
    log: LoggerV1;
    maxOutputBytes: number;
    onProgress?: (progress: ToolProgress) => void;
  },
): Promise<ToolOutcome> {
  const started = Date.now();
  const entry = registry.get(call.name);
  if (!entry) return failure(new ERR_TOOL_NOT_ALLOWED({ tool: call.name }), started);
  if (call.inputError !== undefined) {
    return failure(new ERR_TOOL_INVALID_PARAMS({ tool: call.name, errors: [call.inputError] }), started);
  }
  // A copy: schema defaults are filled in, and the LLM's own call (replayed in history) stays as sent.
  const input: unknown = structuredClone(call.input ?? {});
  if (!entry.validate(input)) {
    const errors = (entry.validate.errors ?? []).map(
      (e) => `${e.instancePath || '(parameters)'} ${e.message ?? 'is invalid'}`,
    );
    return failure(new ERR_TOOL_INVALID_PARAMS({ tool: call.name, errors }), started);
  }
  let report: ExecutionReport | undefined;
  const context: HostToolCallContext = {
    callId: call.id,
    signal: opts.signal,
    log: opts.log,
    reportExecution: (r) => void (report = r),
    ...(opts.onProgress ? { reportProgress: opts.onProgress } : {}),
  };
  const ran = (): Pick<ToolOutcome, 'executor' | 'sandbox' | 'timedOut'> => ({
    executor: entry.executor,
    ...(report ? { sandbox: report.sandbox, timedOut: report.timedOut } : {}),
  });
  let callSignal = opts.signal;
  // Through a promise so that a tool throwing synchronously is a rejection like any other failure.
  const execute = (signal: AbortSignal): Promise<unknown> =>
    Promise.resolve().then(() => entry.tool.execute(input, { ...context, signal: (callSignal = signal) }));
  // Module tools run in-process with no executor to stop them: the deadline is enforced here, once.
  const timeoutMs = entry.executor === 'module' ? (entry.timeoutMs ?? DEFAULT_MODULE_TIMEOUT_MS) : undefined;
  try {
    const value: unknown =
      timeoutMs === undefined
        ? await execute(opts.signal)
        : await withDeadline(call.name, timeoutMs, opts.signal, execute);
    const { text, truncated } = capOutput(JSON.stringify(value ?? null), opts.maxOutputBytes);
    return { ok: true, content: text, durationMs: Date.now() - started, truncated, ...ran() };
  } catch (err) {
    const outcome = failure(toolFailure(call.name, err), started);
    // Abandoned at the deadline: the error is the reason the tool's signal was aborted with.
    const timedOut =
      timeoutMs !== undefined && AgentError.is(err, 'AGENT_ERR_TOOL_TIMEOUT') && callSignal.reason === err;
    if (timedOut)
      opts.log.warn({ tool: call.name, timeout_ms: timeoutMs }, 'tool call abandoned at its deadline');
    return {
      ...outcome,
      truncated: report?.outputTruncated ?? false,
      ...ran(),
      ...(timedOut ? { timedOut } : {}),
    };
  }
}
