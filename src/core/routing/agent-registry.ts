// Discovery (protocol.md §9): the agents known from `/control/agents/+/status`, which of
// them are routable, and the best one for a capability. Fed by hostile bytes: bounded, never throws.
import { readStatusMessage, type AgentStatus } from './status-message.js';

/** One agent as discovery knows it: its last status and when this process received it. */
export interface KnownAgent extends AgentStatus {
  /** When the registry received the status, on the registry's own clock (ms). */
  readonly lastSeenMs: number;
}

export interface AgentRegistryOptions {
  /** An agent whose last status is this old (ms) or older is not routable (read at each question). */
  staleAfterMs: () => number;
  /** The registry's clock in ms; default monotonic (never jumps with the wall clock). */
  now?: () => number;
  /** At most this many agents are kept; the one seen longest ago is evicted for a new one. */
  maxAgents?: number;
  /** At most this many characters of ids, names and text are kept over all agents (memory bound). */
  maxChars?: number;
  /** Told about each ignored message (for a debug log); must not throw. */
  onIgnored?: (reason: string, topic: string) => void;
}

export const DEFAULT_MAX_AGENTS = 10_000;
/** About 8 MiB of strings at most, whatever the broker sends. */
export const DEFAULT_MAX_CHARS = 4 * 1024 * 1024;

/** Epoch-aligned milliseconds that only move forward (performance.now from the process's time origin). */
const monotonicNow = (): number => performance.timeOrigin + performance.now();

/** The characters an agent holds (its memory weight for the maxChars bound). */
function charsOf(s: AgentStatus): number {
  let n = s.id.length + s.version.length + (s.description?.length ?? 0);
  for (const c of s.capabilities) n += c.length;
  for (const t of s.tools) n += t.length;
  return n;
}

interface Entry {
  readonly agent: KnownAgent;
  /** Its capabilities lower-cased, for the case-insensitive match. */
  readonly lower: ReadonlySet<string>;
  readonly chars: number;
}

const byId = (a: KnownAgent, b: KnownAgent): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export class AgentRegistry {
  /** Insertion order is the order last seen: the first entry is the one seen longest ago. */
  readonly #entries = new Map<string, Entry>();
  readonly #staleAfterMs: () => number;
  readonly #now: () => number;
  readonly #maxAgents: number;
  readonly #maxChars: number;
  readonly #onIgnored: ((reason: string, topic: string) => void) | undefined;
  #chars = 0;
  /** Messages that were not a usable status (counted, never thrown). */
  ignored = 0;
  /** Agents dropped to keep within maxAgents / maxChars. */
  evicted = 0;

  constructor(opts: AgentRegistryOptions) {
    this.#staleAfterMs = opts.staleAfterMs;
    this.#now = opts.now ?? monotonicNow;
    this.#maxAgents = Math.max(1, opts.maxAgents ?? DEFAULT_MAX_AGENTS);
    this.#maxChars = Math.max(1, opts.maxChars ?? DEFAULT_MAX_CHARS);
    this.#onIgnored = opts.onIgnored;
  }

  /**
   * A message on /control/agents/+/status (retained or live). Empty payload = retained status cleared =
   * remove; `unavailable` (a shutdown or a Last Will) removes at once. Hostile input: bounded, never throws.
   */
  observe(topic: string, payload: Uint8Array): void {
    try {
      const reading = readStatusMessage(topic, payload);
      if (reading.kind === 'invalid') return this.#ignore(reading.reason, topic);
      if (reading.kind === 'cleared') return this.#remove(reading.id);
      if (reading.status.status === 'unavailable') return this.#remove(reading.status.id);
      this.#store(reading.status, topic);
    } catch {
      // Not expected (the reader never throws); a bug here must not reach the transport's handler.
      this.#ignore('unexpected failure reading the status', topic);
    }
  }

  /** Agents whose last status is `available` and younger than staleAfterMs, sorted by id. */
  routable(): KnownAgent[] {
    const fresh = this.#freshness();
    const out: KnownAgent[] = [];
    for (const e of this.#entries.values()) if (fresh(e.agent)) out.push(e.agent);
    return out.sort(byId);
  }

  /** The routable agent with `capability` (case-insensitive exact match) and the lowest load, ties by id. */
  best(capability: string, opts: { exclude?: string } = {}): KnownAgent | undefined {
    const wanted = capability.toLowerCase();
    const fresh = this.#freshness();
    let best: KnownAgent | undefined;
    for (const e of this.#entries.values()) {
      const a = e.agent;
      if (a.id === opts.exclude || !e.lower.has(wanted) || !fresh(a)) continue;
      if (!best || a.load < best.load || (a.load === best.load && a.id < best.id)) best = a;
    }
    return best;
  }

  /** The agent's last status, routable or not (stale ones are kept until evicted). */
  get(id: string): KnownAgent | undefined {
    return this.#entries.get(id)?.agent;
  }

  isRoutable(id: string): boolean {
    const e = this.#entries.get(id);
    return e !== undefined && this.#freshness()(e.agent);
  }

  /** How long ago (ms, on the registry's clock) the agent's last status was received. */
  ageMs(agent: KnownAgent): number {
    return Math.max(0, this.#now() - agent.lastSeenMs);
  }

  /** Agents known (routable or not). */
  get size(): number {
    return this.#entries.size;
  }

  /** Forget everything (a move to another broker: its retained statuses come again on subscribe). */
  clear(): void {
    this.#entries.clear();
    this.#chars = 0;
  }

  /**
   * Routable now: `available` and young enough, measured on this registry's clock from when the status
   * arrived, not from the sender's `timestamp` — the two machines' clocks differ, and a skewed sender
   * would otherwise look stale for ever or fresh for ever. (A retained status counts from its receipt.)
   */
  #freshness(): (a: KnownAgent) => boolean {
    const now = this.#now();
    const staleAfter = this.#staleAfterMs();
    return (a) => a.status === 'available' && now - a.lastSeenMs < staleAfter;
  }

  #store(status: AgentStatus, topic: string): void {
    const agent: KnownAgent = Object.freeze({
      ...status,
      capabilities: Object.freeze([...status.capabilities]),
      tools: Object.freeze([...status.tools]),
      lastSeenMs: this.#now(),
    });
    const lower = new Set(agent.capabilities.map((c) => c.toLowerCase()));
    const chars = charsOf(status);
    // Delete first: re-inserting moves it to the end (most recently seen).
    this.#remove(status.id);
    if (chars > this.#maxChars) return this.#ignore('status larger than the whole registry', topic);
    while (
      this.#entries.size > 0 &&
      (this.#entries.size >= this.#maxAgents || this.#chars + chars > this.#maxChars)
    ) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#remove(oldest);
      this.evicted += 1;
    }
    this.#entries.set(status.id, { agent, lower, chars });
    this.#chars += chars;
  }

  #remove(id: string): void {
    const e = this.#entries.get(id);
    if (!e) return;
    this.#entries.delete(id);
    this.#chars -= e.chars;
  }

  #ignore(reason: string, topic: string): void {
    this.ignored += 1;
    try {
      this.#onIgnored?.(reason, topic);
    } catch {
      // A logging hook must not make observe() throw.
    }
  }
}
