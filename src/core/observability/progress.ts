// Progress events (docs/protocol.md §7) on /control/agents/{id}/progress: QoS 1, not retained, best effort.
import type { LoggerV1 } from '@agent2389/tool-sdk';
import { toError } from '../errors.js';
import { progressTopic } from '../protocol/topics.js';

export type ProgressEventName =
  | 'task_started'
  | 'llm_request'
  | 'llm_response'
  | 'tool_call'
  | 'tool_result'
  | 'tool_error'
  /** A running tool call reported progress (data: tool, call_id, progress, total?, message?). */
  | 'tool_progress'
  | 'budget_exhausted'
  | 'task_forwarded'
  | 'task_completed'
  | 'task_failed'
  /** A router decided after a v2 task (data: from, to, outcome, reason, router, duration_ms). */
  | 'routing_decision'
  /** A reload was applied (data: generation, changes, summary). */
  | 'config_reloaded'
  /** A reload was refused; the last good configuration keeps serving (data: file, code, reason, problems). */
  | 'config_rejected';

export interface ProgressEvent {
  readonly agent_id: string;
  /** Absent for events about the agent rather than a task (config_reloaded, config_rejected). */
  readonly task_id?: string;
  readonly conversation_id?: string;
  readonly timestamp: string;
  readonly event: ProgressEventName;
  readonly data: Record<string, unknown>;
}

export interface TaskIds {
  readonly taskId: string;
  readonly conversationId: string;
}

export function progressEvent(
  agentId: string,
  event: ProgressEventName,
  data: Record<string, unknown>,
  ids?: TaskIds,
): ProgressEvent {
  return {
    agent_id: agentId,
    ...(ids ? { task_id: ids.taskId, conversation_id: ids.conversationId } : {}),
    timestamp: new Date().toISOString(),
    event,
    data,
  };
}

/** A token bucket: `rate` events per second, bursts up to `2 × rate`; rate 0 lets everything through. */
export class EventBudget {
  #tokens: number;
  #last = performance.now();

  constructor(private rate: number) {
    this.#tokens = 2 * rate;
  }

  /** A reload changed `[progress] max_events_per_second`. */
  setRate(rate: number): void {
    if (rate === this.rate) return;
    this.rate = rate;
    this.#tokens = Math.min(this.#tokens, 2 * rate);
  }

  take(now = performance.now()): boolean {
    if (this.rate === 0) return true;
    const elapsed = Math.max(0, now - this.#last); // a clock that steps back adds nothing
    this.#tokens = Math.min(2 * this.rate, this.#tokens + (elapsed / 1000) * this.rate);
    this.#last = Math.max(this.#last, now);
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}

export interface ProgressSink {
  /** Current settings: `[progress] enabled` can change on reload. */
  enabled(): boolean;
  /** A task event may go out now (the rate limit); false drops it. */
  admit(event: ProgressEventName): boolean;
  agentId(): string;
  /** Publish on the current connection; rejects when it cannot. */
  publish(topic: string, payload: string): Promise<void>;
  readonly log: LoggerV1;
}

/** Publish one event if progress is enabled; never throws, never waits (a failure is logged at debug). */
export function emitProgress(
  sink: ProgressSink,
  event: ProgressEventName,
  data: Record<string, unknown>,
  ids?: TaskIds,
): void {
  // Only task events are rate-limited: events about the agent itself (config_*) are rare and always sent.
  if (!sink.enabled() || (ids !== undefined && !sink.admit(event))) return;
  const agentId = sink.agentId();
  const payload = JSON.stringify(progressEvent(agentId, event, data, ids));
  let sent: Promise<void>;
  try {
    sent = sink.publish(progressTopic(agentId), payload);
  } catch (err) {
    sent = Promise.reject(toError(err));
  }
  sent.catch((err: unknown) => sink.log.debug({ err, event }, 'progress event not sent'));
}
