// Events an Agent emits for library users (task outcomes and lifecycle).
import type { UsageV1 } from '../../../tool-sdk/src/index.js';
import type { WireErrorCode } from '../protocol/messages.js';

export interface TaskEventBase {
  taskId: string;
  conversationId: string;
  durationMs: number;
}

export interface TaskCompletedEvent extends TaskEventBase {
  status: 'responded' | 'forwarded';
  budgetExhausted: boolean;
  toolCalls: number;
  iterations: number;
  /** Tokens summed over every LLM call of the task. */
  usage: UsageV1;
}

export interface TaskFailedEvent extends Partial<TaskEventBase> {
  code: WireErrorCode;
  message: string;
  /** 'intake' = rejected before processing (depth, schema, size); 'processing' = failed while running. */
  stage: 'intake' | 'processing';
}

export interface TaskDiscardedEvent {
  reason: string;
  topic: string;
}

export interface AgentEvents {
  ready: [];
  stopped: [];
  'task:completed': [TaskCompletedEvent];
  'task:failed': [TaskFailedEvent];
  'task:discarded': [TaskDiscardedEvent];
  /** The broker connection came back after a loss. */
  reconnected: [];
}

export type AgentState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';
