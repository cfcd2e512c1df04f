// One AbortSignal for a whole call: fires on the call's timeout (HTTP_TIMEOUT) or the host's abort (HTTP_ABORTED).
import { ToolError } from '../tool-error.js';

export interface Deadline {
  /** Aborted with the ToolError to report: HTTP_TIMEOUT or HTTP_ABORTED. */
  readonly signal: AbortSignal;
  dispose(): void;
}

// setTimeout fires at once for delays above 2^31-1 ms (about 24.8 days): clamp.
const MAX_TIMER_MS = 2 ** 31 - 1;

function timeoutError(timeoutMs: number): ToolError {
  const seconds = timeoutMs / 1000;
  return new ToolError('HTTP_TIMEOUT', `no complete answer within ${seconds}s`, { timeout_seconds: seconds });
}

function abortedError(): ToolError {
  return new ToolError('HTTP_ABORTED', 'request aborted: the task timed out or the agent is shutting down');
}

/** Start the clock of one call; `dispose()` it when the call is over. */
export function startDeadline(parent: AbortSignal, timeoutMs: number): Deadline {
  const controller = new AbortController();
  const onParentAbort = (): void => controller.abort(abortedError());
  if (parent.aborted) onParentAbort();
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(timeoutError(timeoutMs)),
    Math.min(Math.max(timeoutMs, 1), MAX_TIMER_MS),
  );
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
