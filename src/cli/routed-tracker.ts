// Follow a routed (v2) conversation hop by hop (pure: the caller supplies messages). Each routed hop is
// a new task in the same conversation (docs/routing.md), so hops are told apart by task_id: progress
// events of the conversation (task_started, routing_decision) and its conversation topic
// /conversations/{conversation_id}/+ are all it takes.
import { isPlainObject } from '../core/protocol/envelope.js';
import { jsonObjectOf, parseTopic } from './observed-message.js';
import type { Outcome } from './pipeline-tracker.js';

/** A conversation longer than this many hops is not followed further (hostile or runaway). */
export const MAX_ROUTED_HOPS = 1000;
/** Longest task id accepted from the wire (a UUID is 36 characters). */
const MAX_TASK_ID_CHARS = 64;

export interface RoutingDecisionData {
  outcome: string;
  to?: string | undefined;
  reason?: string | undefined;
  router?: string | undefined;
  durationMs?: number | undefined;
  code?: string | undefined;
}

export type RoutedEvent =
  | { type: 'started'; hop: number; agent: string }
  | ({ type: 'decision'; hop: number; agent: string } & RoutingDecisionData)
  /** A response from a hop that forwarded (not final). */
  | { type: 'intermediate'; hop: number; agent: string; text: string }
  | { type: 'final'; hop: number; outcome: Outcome };

interface Hop {
  readonly hop: number;
  readonly agent: string;
  started: boolean;
  /** Its routing decision's outcome, once seen. */
  outcome?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class RoutedTracker {
  readonly #conversationId: string;
  readonly #hops = new Map<string, Hop>();
  #outcome: Outcome | undefined;

  /** `taskId` went to `agent` (hop 1). */
  constructor(conversationId: string, taskId: string, agent: string) {
    this.#conversationId = conversationId;
    this.#hops.set(taskId, { hop: 1, agent, started: false });
  }

  get outcome(): Outcome | undefined {
    return this.#outcome;
  }

  /** The latest hop and whether it started (for the timeout message). */
  last(): { hop: number; agent: string; started: boolean; outcome?: string | undefined } {
    let last: Hop | undefined;
    for (const h of this.#hops.values()) if (!last || h.hop > last.hop) last = h;
    return last!;
  }

  /**
   * A response is final unless its hop decided to forward: a forwarding hop publishes no response (it
   * sends the next task instead), so a response whose decision was not seen (the agent routes nothing,
   * or sends no progress events) is final too. An error message is always final.
   */
  handle(msg: { topic: string; payload: Buffer; retain: boolean }): RoutedEvent[] {
    if (this.#outcome || msg.retain) return [];
    const area = parseTopic(msg.topic);
    if (!area) return [];
    const raw = msg.payload.toString('utf8');
    const body = jsonObjectOf(raw);
    if (!body) return [];
    const taskId = str(body.task_id);
    if (taskId === undefined || taskId.length > MAX_TASK_ID_CHARS) return [];
    if (area.area === 'conversation') {
      if (area.conversationId !== this.#conversationId) return [];
      return this.#conversation(taskId, area.agentId, body, raw);
    }
    if (area.area !== 'progress' || body.conversation_id !== this.#conversationId) return [];
    if (body.agent_id !== undefined && body.agent_id !== area.agentId) return [];
    const hop = this.#hopOf(taskId, area.agentId);
    if (!hop) return [];
    if (body.event === 'task_started' && !hop.started) {
      hop.started = true;
      return [{ type: 'started', hop: hop.hop, agent: hop.agent }];
    }
    if (body.event === 'routing_decision' && hop.outcome === undefined) {
      const d = isPlainObject(body.data) ? body.data : {};
      const outcome = str(d.outcome) ?? 'unknown';
      hop.outcome = outcome;
      const to = str(d.to);
      const next = str(d.task_id);
      // The forwarded task's id, when the agent says it: its hop is known before it starts.
      if (outcome === 'forward' && to !== undefined && next !== undefined) this.#hopOf(next, to);
      const data: RoutingDecisionData = {
        outcome,
        to,
        reason: str(d.reason),
        router: str(d.router),
        durationMs: num(d.duration_ms),
        code: str(d.code),
      };
      return [{ type: 'decision', hop: hop.hop, agent: hop.agent, ...data }];
    }
    return [];
  }

  #conversation(taskId: string, agent: string, body: Record<string, unknown>, raw: string): RoutedEvent[] {
    const hop = this.#hopOf(taskId, agent);
    if (!hop) return [];
    if (typeof body.response === 'string') {
      if (hop.outcome === 'forward') {
        return [{ type: 'intermediate', hop: hop.hop, agent, text: body.response }];
      }
      this.#outcome = { kind: 'response', agent, text: body.response, raw };
      return [{ type: 'final', hop: hop.hop, outcome: this.#outcome }];
    }
    if (!isPlainObject(body.error)) return [];
    const code = String(body.error.code);
    const message = String(body.error.message);
    this.#outcome = { kind: 'error', agent, code, message, raw };
    return [{ type: 'final', hop: hop.hop, outcome: this.#outcome }];
  }

  /** The hop of `taskId` (a new one, numbered in order of first sight), bound to the agent first seen with it. */
  #hopOf(taskId: string, agent: string): Hop | undefined {
    const known = this.#hops.get(taskId);
    if (known) return known.agent === agent ? known : undefined;
    if (this.#hops.size >= MAX_ROUTED_HOPS) return undefined;
    const hop: Hop = { hop: this.#hops.size + 1, agent, started: false };
    this.#hops.set(taskId, hop);
    return hop;
  }
}
