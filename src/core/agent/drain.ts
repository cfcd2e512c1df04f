// Shutdown and a reload's reconnect both let the tasks in flight finish, then abort the rest.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { ERR_CLOSED } from '../errors.js';
import type { TaskQueue } from './task-queue.js';

/**
 * After the grace period, how long aborted tasks get to settle (publish their error, free their
 * slot) before the caller goes on without them: aborting is cooperative, so it is bounded.
 */
export const ABORT_SETTLE_MS = 5_000;

export interface DrainTarget {
  readonly queue: TaskQueue;
  readonly log: LoggerV1;
  /** Abort the tasks still running (their generations' signals). */
  abortRunning(reason: unknown): void;
}

/** Wait up to `graceMs` for the queue to empty, else abort what runs and wait ABORT_SETTLE_MS more; true if drained in grace. */
export async function drainThenAbort(t: DrainTarget, graceMs: number, why: string): Promise<boolean> {
  if (await t.queue.drain(graceMs)) return true;
  t.log.warn(
    { in_flight: t.queue.active + t.queue.waiting, grace_ms: graceMs },
    `${why}: grace period over, aborting the remaining tasks`,
  );
  t.abortRunning(new ERR_CLOSED({}));
  if (await t.queue.drain(ABORT_SETTLE_MS)) return false;
  t.log.warn(
    { in_flight: t.queue.active + t.queue.waiting },
    `${why}: aborted tasks did not settle; going on`,
  );
  return false;
}
