// Events an Agent emits for library users (task outcomes and lifecycle).
import type { UsageV1 } from '@agent2389/tool-sdk';
import type { ConfigChange } from '../config/diff.js';
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

/** What an applied reload did. */
export interface ReloadOutcome {
  /** The generation new tasks now run on (unchanged when nothing changed). */
  generation: number;
  changes: ConfigChange[];
  /** The broker connection was re-made (a change to [mqtt] or agent.id). */
  reconnected: boolean;
  /** Keys that changed but are read only at startup (e.g. log.format): they apply at the next start. */
  restartNeeded: string[];
  /** Plugins and tools were loaded again (their config or files changed, or a forced reload). */
  pluginsRebuilt: boolean;
}

export interface AgentEvents {
  ready: [];
  stopped: [];
  'task:completed': [TaskCompletedEvent];
  'task:failed': [TaskFailedEvent];
  'task:discarded': [TaskDiscardedEvent];
  /** The broker connection came back after a loss. */
  reconnected: [];
  /** A new configuration was applied (Agent.applyConfig). */
  reloaded: [ReloadOutcome];
}

/**
 * Where the agent is in its lifecycle; the allowed moves are the table in lifecycle.ts.
 * `reloading`: a new config is being built while the current generation keeps serving;
 * `reconnecting`: a reload moves to a new broker connection; `draining`: stop() finishes tasks.
 */
export type AgentState =
  'idle' | 'starting' | 'running' | 'reloading' | 'reconnecting' | 'draining' | 'stopped' | 'failed';
