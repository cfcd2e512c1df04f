// `agent2389 agents --replicas`: each replica's retained status (docs/scaling.md), kept per agent (pure).
import { isPlainObject } from '../core/protocol/envelope.js';
import { canonicalizeTopic } from '../core/protocol/topics.js';
import { ageMs, relativeAge, terminalText } from './display-text.js';

/** Where replicas retain their own status (our extension of protocol.md §3.3). */
export const REPLICA_STATUS_TOPICS = '/control/agents/+/replicas/+/status';

/** A status message is a few hundred bytes: a larger payload is broken or hostile and is not parsed. */
export const MAX_REPLICA_STATUS_BYTES = 64 * 1024;

/** At most this many replicas are kept over all agents; more are counted (`overflow`), not stored. */
export const MAX_REPLICAS = 10_000;

/** A replica's status message as received (unknown fields kept). */
export interface KnownReplica {
  readonly agentId: string;
  readonly replicaId: string;
  readonly status: Record<string, unknown>;
}

/** The agent and replica `/control/agents/<id>/replicas/<replica>/status` names, or undefined for another topic. */
export function parseReplicaTopic(topic: string): { agentId: string; replicaId: string } | undefined {
  const p = canonicalizeTopic(topic).split('/').slice(1);
  if (p.length !== 6 || p[0] !== 'control' || p[1] !== 'agents' || p[3] !== 'replicas' || p[5] !== 'status') {
    return undefined;
  }
  return { agentId: p[2]!, replicaId: p[4]! };
}

/** The status object in `payload`, or undefined unless it is one for `replicaId` (a JSON object, string `status`). */
function parseStatus(payload: Uint8Array, replicaId: string): Record<string, unknown> | undefined {
  if (payload.length > MAX_REPLICA_STATUS_BYTES) return undefined;
  let status: unknown;
  try {
    status = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isPlainObject(status) || typeof status.status !== 'string') return undefined;
  // The topic names the replica; a payload claiming another one is not trusted.
  if (status.replica_id !== undefined && status.replica_id !== replicaId) return undefined;
  return status;
}

const byReplicaId = (a: KnownReplica, b: KnownReplica): number =>
  a.replicaId < b.replicaId ? -1 : a.replicaId > b.replicaId ? 1 : 0;

export class ReplicaDirectory {
  readonly #byAgent = new Map<string, Map<string, KnownReplica>>();
  #size = 0;
  /** Replica status messages that were not status messages (too large, not JSON, no `status`, other replica_id). */
  ignored = 0;
  /** New replicas not kept because MAX_REPLICAS were known already. */
  overflow = 0;

  /**
   * Record one message; false if `topic` is not a replica status topic (the caller handles it).
   * An empty payload (cleared retained: the replica stopped or was adopted) forgets the replica.
   */
  add(topic: string, payload: Uint8Array): boolean {
    const where = parseReplicaTopic(topic);
    if (!where) return false;
    const replicas = this.#byAgent.get(where.agentId);
    if (payload.length === 0) {
      if (replicas?.delete(where.replicaId)) this.#size -= 1;
      if (replicas?.size === 0) this.#byAgent.delete(where.agentId);
      return true;
    }
    const status = parseStatus(payload, where.replicaId);
    if (!status) {
      this.ignored += 1;
      return true;
    }
    if (!replicas?.has(where.replicaId) && this.#size >= MAX_REPLICAS) {
      this.overflow += 1;
      return true;
    }
    const map = replicas ?? new Map<string, KnownReplica>();
    if (!map.has(where.replicaId)) this.#size += 1;
    map.set(where.replicaId, { ...where, status });
    this.#byAgent.set(where.agentId, map);
    return true;
  }

  /** The replicas of `agentId`, sorted by replica id. */
  of(agentId: string): KnownReplica[] {
    return [...(this.#byAgent.get(agentId)?.values() ?? [])].sort(byReplicaId);
  }

  /** How many replicas belong to agents not in `agentIds` (no logical status known: not shown). */
  orphans(agentIds: ReadonlySet<string>): number {
    let n = 0;
    for (const [agentId, replicas] of this.#byAgent) if (!agentIds.has(agentId)) n += replicas.size;
    return n;
  }
}

/** One replica in the --json output: its status object with `replica_id` and `last_seen_ms`. */
export function replicaJson(r: KnownReplica, now: number): Record<string, unknown> {
  return { ...r.status, replica_id: r.replicaId, last_seen_ms: ageMs(r.status.timestamp, now) ?? null };
}

/** Hostile text for a terminal (see terminalText), cut to 64 characters. */
const cell = (s: string): string => terminalText(s, 64);

/** A table row under its agent: `  ↳ <replica id>`, status, (no routable, capabilities or tools), load, last seen. */
export function replicaRow(r: KnownReplica, now: number): string[] {
  const s = r.status;
  return [
    `  ↳ ${cell(r.replicaId)}`,
    cell(String(s.status)),
    '',
    '',
    '',
    typeof s.load === 'number' ? s.load.toFixed(2) : '-',
    relativeAge(ageMs(s.timestamp, now)),
  ];
}
