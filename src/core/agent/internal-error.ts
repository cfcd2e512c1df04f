// Report a failure that is a bug or a broken invariant, not a task error [FR-011]: log it at error
// level with what identifies it (task id, event, hook) and count it in agent2389_internal_errors_total.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import type { AgentMetrics } from '../observability/agent-metrics.js';

/** Where an internal error happened: the `where` label of agent2389_internal_errors_total. */
export type InternalErrorSite =
  | 'task' // a queued task rejected (runTask never should)
  | 'task_listener' // a `task:*` event listener threw
  | 'task_hook' // a reporting hook of the LLM loop threw
  | 'intake' // handling an inbound message failed unexpectedly
  | 'generation_close'; // closing a retired generation failed

export interface InternalErrorSink {
  readonly log: LoggerV1;
  readonly metrics: Pick<AgentMetrics, 'internalErrors'>;
}

/** Log and count one internal error; `fields` identify what failed (e.g. `task_id`). */
export function reportInternalError(
  sink: InternalErrorSink,
  where: InternalErrorSite,
  err: unknown,
  fields: Record<string, unknown> = {},
): void {
  sink.metrics.internalErrors.inc({ where });
  sink.log.error({ ...fields, where, err }, 'internal error');
}
