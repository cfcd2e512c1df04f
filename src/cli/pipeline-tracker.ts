// Follow one pipeline hop by hop from what arrives on the hops' input and progress topics and on the
// conversation topic (pure: the caller supplies messages and the clock). Hops share the task_id
// (docs/protocol.md §4 step 8), so a hop is matched by task_id + agent id. Without progress events the input
// topics still show each forward, and the conversation topic the end.
import { isPlainObject } from '../core/protocol/envelope.js';
import { agentOfInputTopic } from './display-text.js';
import { jsonObjectOf, parseTopic } from './observed-message.js';

export type Outcome =
  | { kind: 'response'; agent: string; text: string; raw: string }
  | { kind: 'error'; agent: string; code: string; message: string; raw: string };

/** Durations are the agent's own (from its progress event) unless `measured` (seen from here). */
export type HopEvent =
  | { type: 'received'; hop: number }
  | { type: 'started'; hop: number }
  | { type: 'forwarded'; hop: number; to: string; durationMs?: number | undefined; measured: boolean }
  | {
      type: 'completed';
      hop: number;
      durationMs?: number | undefined;
      measured: boolean;
      llmCalls?: number | undefined;
      toolCalls?: number | undefined;
    }
  | {
      type: 'failed';
      hop: number;
      code?: string | undefined;
      message?: string | undefined;
      durationMs?: number | undefined;
    }
  | { type: 'activity'; hop: number; event: string; data: unknown }
  | { type: 'intermediate'; hop: number; text: string }
  | { type: 'final'; outcome: Outcome };

export type HopState = 'waiting' | 'received' | 'started' | 'forwarded' | 'completed' | 'failed';

interface Hop {
  readonly agent: string;
  state: HopState;
  /** When it got the task (ms, caller's clock), if known. */
  since?: number | undefined;
}

/** Progress events shown under their hop. */
const ACTIVITY = new Set(['tool_call', 'tool_result', 'tool_error', 'budget_exhausted']);
const DONE: readonly HopState[] = ['forwarded', 'completed', 'failed'];

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

export class PipelineTracker {
  readonly #taskId: string;
  readonly #hops: Hop[];
  #outcome: Outcome | undefined;

  constructor(taskId: string, agents: readonly string[]) {
    this.#taskId = taskId;
    this.#hops = agents.map((agent) => ({ agent, state: 'waiting' }));
  }

  /** The envelope was published to the first hop at `now`: its time starts then. */
  sent(now: number): void {
    this.#hops[0]!.since ??= now;
  }

  get outcome(): Outcome | undefined {
    return this.#outcome;
  }

  /** The first hop not finished yet and its state (for the timeout message). */
  pending(): { hop: number; agent: string; state: HopState; since?: number | undefined } | undefined {
    const i = this.#hops.findIndex((h) => !DONE.includes(h.state));
    const h = this.#hops[i];
    return h && { hop: i, agent: h.agent, state: h.state, since: h.since };
  }

  /** Feed one inbound message; returns what happened because of it. */
  handle(msg: { topic: string; payload: Buffer; retain: boolean }, now: number): HopEvent[] {
    if (this.#outcome || msg.retain) return [];
    const area = parseTopic(msg.topic);
    const raw = msg.payload.toString('utf8');
    const body = jsonObjectOf(raw);
    if (!area || !body || body.task_id !== this.#taskId) return [];
    const hop = this.#hops.findIndex((h) => h.agent === area.agentId);
    if (area.area === 'conversation') return this.#conversation(hop, area.agentId, body, raw, now);
    if (hop < 0) return [];
    if (area.area === 'input') {
      return hop === 0 ? [] : [...this.#catchUp(hop, now, true), ...this.#received(hop, now)];
    }
    if (area.area === 'progress' && typeof body.event === 'string') {
      return this.#progress(hop, body.event, body.data, now);
    }
    return [];
  }

  #progress(hop: number, event: string, data: unknown, now: number): HopEvent[] {
    const d = isPlainObject(data) ? data : {};
    const h = this.#hops[hop]!;
    const events = this.#catchUp(hop, now, event === 'task_started');
    if (event === 'task_started' && (h.state === 'waiting' || h.state === 'received')) {
      h.state = 'started';
      h.since ??= now;
      events.push({ type: 'started', hop });
    } else if (event === 'task_forwarded' && hop < this.#hops.length - 1) {
      events.push(
        ...this.#forward(hop, now, num(d.duration_ms), typeof d.to === 'string' ? d.to : undefined),
      );
    } else if (event === 'task_completed' && hop === this.#hops.length - 1) {
      events.push(...this.#complete(hop, now, d));
    } else if (event === 'task_failed' && h.state !== 'failed') {
      h.state = 'failed';
      const code = typeof d.code === 'string' ? d.code : undefined;
      const message = typeof d.message === 'string' ? d.message : undefined;
      events.push({ type: 'failed', hop, code, message, durationMs: num(d.duration_ms) });
    } else if (ACTIVITY.has(event)) {
      events.push({ type: 'activity', hop, event, data: d });
    }
    return events;
  }

  #conversation(
    hop: number,
    agent: string,
    body: Record<string, unknown>,
    raw: string,
    now: number,
  ): HopEvent[] {
    const last = this.#hops.length - 1;
    if (typeof body.response === 'string') {
      if (hop < 0) return [];
      if (hop < last) return [{ type: 'intermediate', hop, text: body.response }]; // publish_intermediate
      const events = [...this.#catchUp(last, now), ...this.#complete(last, now, {})];
      this.#outcome = { kind: 'response', agent, text: body.response, raw };
      return [...events, { type: 'final', outcome: this.#outcome }];
    }
    if (!isPlainObject(body.error)) return [];
    const code = String(body.error.code);
    const message = String(body.error.message);
    const events: HopEvent[] = [];
    if (hop >= 0) {
      events.push(...this.#catchUp(hop, now));
      const h = this.#hops[hop]!;
      if (h.state !== 'failed') {
        h.state = 'failed';
        events.push({ type: 'failed', hop, code, message });
      }
    }
    this.#outcome = { kind: 'error', agent, code, message, raw };
    return [...events, { type: 'final', outcome: this.#outcome }];
  }

  #received(hop: number, now: number): HopEvent[] {
    const h = this.#hops[hop]!;
    if (h.state !== 'waiting') return [];
    h.state = 'received';
    h.since ??= now;
    return [{ type: 'received', hop }];
  }

  /**
   * Something of hop `hop` happened: every earlier hop must have forwarded already. Only when it is
   * hop `hop` getting its task (`arrived`: its input, or task_started) is the time of the last forward known.
   */
  #catchUp(hop: number, now: number, arrived = false): HopEvent[] {
    const events: HopEvent[] = [];
    for (let i = 0; i < hop; i++) {
      if (DONE.includes(this.#hops[i]!.state)) continue;
      events.push(...this.#forward(i, arrived && i === hop - 1 ? now : undefined, undefined, undefined));
    }
    return events;
  }

  /** Hop `hop` forwarded at `at` (undefined: some time ago, unknown), taking `durationMs` by its own count. */
  #forward(
    hop: number,
    at: number | undefined,
    durationMs: number | undefined,
    to: string | undefined,
  ): HopEvent[] {
    const h = this.#hops[hop]!;
    if (DONE.includes(h.state)) return [];
    h.state = 'forwarded';
    const next = this.#hops[hop + 1];
    if (next && at !== undefined) next.since ??= at;
    const measured = durationMs === undefined;
    return [
      {
        type: 'forwarded',
        hop,
        to: to === undefined ? (next?.agent ?? '?') : agentOfInputTopic(to),
        durationMs: durationMs ?? (h.since === undefined || at === undefined ? undefined : at - h.since),
        measured,
      },
    ];
  }

  /** `data`: the task_completed event's data, or {} when the response is all we saw. */
  #complete(hop: number, now: number, data: Record<string, unknown>): HopEvent[] {
    const h = this.#hops[hop]!;
    if (DONE.includes(h.state)) return [];
    h.state = 'completed';
    const durationMs = num(data.duration_ms);
    return [
      {
        type: 'completed',
        hop,
        durationMs: durationMs ?? (h.since === undefined ? undefined : now - h.since),
        measured: durationMs === undefined,
        llmCalls: num(data.llm_calls),
        toolCalls: num(data.tool_calls),
      },
    ];
  }
}
