// `agent2389 inject --capability`: the best routable agent for a capability, from the agents' status
// messages (discovery as the agents do it: AgentRegistry, lowest load, ties by id).
import { isPlainObject } from '../core/protocol/envelope.js';
import { AgentRegistry, type KnownAgent } from '../core/routing/agent-registry.js';
import { MAX_STATUS_BYTES, statusTopicAgent } from '../core/routing/status-message.js';
import { ageMs } from './display-text.js';

/**
 * Once an agent with the capability is known, discovery ends after this long without another status
 * message: the retained statuses arrive in one burst right after the subscription, so waiting the
 * whole --discovery-timeout for more would only add latency.
 */
export const DISCOVERY_SETTLE_MS = 250;

const EMPTY = new Uint8Array(0);

/** The status's own `timestamp` age in ms (undefined: none, or not a time). Hostile bytes: never throws. */
function statusAge(payload: Uint8Array, now: number): number | undefined {
  if (payload.length === 0 || payload.length > MAX_STATUS_BYTES) return undefined;
  try {
    const raw: unknown = JSON.parse(Buffer.from(payload).toString('utf8'));
    return isPlainObject(raw) ? ageMs(raw.timestamp, now) : undefined;
  } catch {
    return undefined;
  }
}

export class CapabilityDiscovery {
  readonly #registry: AgentRegistry;
  readonly #capability: string;
  readonly #staleAfterMs: number;
  readonly #now: () => number;
  /** Called after each status message (the waiting side re-arms its settle timer). */
  onStatus: (() => void) | undefined;

  constructor(capability: string, staleAfterMs: number, now: () => number = Date.now) {
    this.#capability = capability;
    this.#staleAfterMs = staleAfterMs;
    this.#now = now;
    this.#registry = new AgentRegistry({ staleAfterMs: () => staleAfterMs });
  }

  /**
   * A message on /control/agents/+/status. A retained status arrives "now" whatever its age, so (as
   * `agent2389 agents` does) one whose own timestamp is missing or older than stale-after counts as gone.
   */
  observe(topic: string, payload: Uint8Array): void {
    if (statusTopicAgent(topic) === undefined) return;
    const age = payload.length === 0 ? 0 : statusAge(payload, this.#now());
    const fresh = age !== undefined && age < this.#staleAfterMs;
    this.#registry.observe(topic, fresh ? payload : EMPTY);
    this.onStatus?.();
  }

  /** The routable agent with the capability and the lowest load (ties by id), if any. */
  best(): KnownAgent | undefined {
    return this.#registry.best(this.#capability);
  }

  /** Every routable agent (for the "none found" message). */
  routable(): KnownAgent[] {
    return this.#registry.routable();
  }
}

/**
 * Wait for the best agent: resolves DISCOVERY_SETTLE_MS after the last status message once a match is
 * known, or at `timeoutMs` with whatever is known then (undefined: none).
 */
export function awaitBest(
  discovery: CapabilityDiscovery,
  timeoutMs: number,
  settleMs = DISCOVERY_SETTLE_MS,
): Promise<KnownAgent | undefined> {
  return new Promise((resolve) => {
    let settle: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(settle);
      clearTimeout(deadline);
      discovery.onStatus = undefined;
      resolve(discovery.best());
    };
    const deadline = setTimeout(finish, timeoutMs);
    const arm = (): void => {
      clearTimeout(settle);
      if (discovery.best() !== undefined) settle = setTimeout(finish, settleMs);
    };
    discovery.onStatus = arm;
    arm();
  });
}
