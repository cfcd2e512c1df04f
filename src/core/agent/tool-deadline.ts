// A per-call deadline for in-process (module) tools, which no executor supervises: at the deadline the
// call is abandoned with ERR_TOOL_TIMEOUT and the signal the tool was given is aborted with that error.
import { ERR_TOOL_TIMEOUT } from '../errors.js';

/** setTimeout fires at once for delays above 2^31-1 ms; a longer deadline is as good as this one (~24.8 days). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Run `work` with a signal that aborts when `parent` does or when `timeoutMs` passes. At the deadline the
 * returned promise rejects with ERR_TOOL_TIMEOUT (the signal's reason too); whatever the work does later
 * is ignored. The timer is cleared as soon as the work settles.
 */
export function withDeadline<T>(
  tool: string,
  timeoutMs: number,
  parent: AbortSignal,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const signal = AbortSignal.any([parent, controller.signal]);
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => {
        const error = new ERR_TOOL_TIMEOUT({ tool, timeoutMs });
        controller.abort(error);
        reject(error);
      },
      Math.min(Math.max(timeoutMs, 1), MAX_TIMER_MS),
    );
    work(signal).then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the work's own rejection, as is
        reject(err);
      },
    );
  });
}
