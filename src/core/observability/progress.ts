// Progress events (PROTOCOL.md §7) on /control/agents/{id}/progress: QoS 1, not retained, best effort.
import type { LoggerV1 } from '../../../tool-sdk/src/index.js';
import { progressTopic } from '../protocol/topics.js';

export type ProgressEventName =
  | 'task_started'
  | 'llm_request'
  | 'llm_response'
  | 'tool_call'
  | 'tool_result'
  | 'tool_error'
  | 'budget_exhausted'
  | 'task_forwarded'
  | 'task_completed'
  | 'task_failed'
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

export interface ProgressSink {
  /** Current settings: `[progress] enabled` can change on reload. */
  enabled(): boolean;
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
  if (!sink.enabled()) return;
  const agentId = sink.agentId();
  const payload = JSON.stringify(progressEvent(agentId, event, data, ids));
  let sent: Promise<void>;
  try {
    sent = sink.publish(progressTopic(agentId), payload);
  } catch (err) {
    sent = Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
  sent.catch((err: unknown) => sink.log.debug({ err, event }, 'progress event not sent'));
}
