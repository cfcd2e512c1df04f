// `agent2389 agents`: keep the latest status message per agent and render it as a table or JSON (pure).
import { isPlainObject } from '../core/protocol/envelope.js';
import { readStatusMessage } from '../core/routing/status-message.js';
import { replicaJson, replicaRow, type ReplicaDirectory } from './agents-replicas.js';
import { ageMs, relativeAge, terminalText } from './display-text.js';
import { parseTopic } from './observed-message.js';
import type { Palette } from './terminal-style.js';

/** A status message as received (unknown fields kept), keyed by its agent. */
export interface KnownAgent {
  readonly id: string;
  readonly status: Record<string, unknown>;
  /** The status passes the checks the agents' own discovery makes (protocol.md §9). */
  readonly usable: boolean;
}

/** `--stale-after` default: 3 × the default heartbeat (30 s), the agents' own default. */
export const DEFAULT_STALE_AFTER_MS = 90_000;

/**
 * Routable as the agents would see it: a usable `available` status younger than `staleAfterMs`. The
 * age comes from the status's own `timestamp` (retained messages all arrive at once, so the time of
 * receipt says nothing here); the agents measure it on their own clock instead.
 */
export function isRoutable(a: KnownAgent, now: number, staleAfterMs: number): boolean {
  const age = ageMs(a.status.timestamp, now);
  return a.usable && a.status.status === 'available' && age !== undefined && age < staleAfterMs;
}

export class AgentDirectory {
  readonly #agents = new Map<string, KnownAgent>();
  /** Messages on status topics that were not status messages (not JSON, no `status` field). */
  ignored = 0;

  /** Record one message from `/control/agents/<id>/status`; an empty payload (cleared retained) forgets the agent. */
  add(topic: string, payload: string): void {
    const area = parseTopic(topic);
    if (area?.area !== 'status') return;
    if (payload.length === 0) {
      this.#agents.delete(area.agentId);
      return;
    }
    let status: unknown;
    try {
      status = JSON.parse(payload);
    } catch {
      status = undefined;
    }
    if (!isPlainObject(status) || typeof status.status !== 'string') {
      this.ignored += 1;
      return;
    }
    const usable = readStatusMessage(topic, Buffer.from(payload, 'utf8')).kind === 'status';
    this.#agents.set(area.agentId, { id: area.agentId, status, usable });
  }

  /** Known agents sorted by id; only available ones with `availableOnly`. */
  list(availableOnly = false): KnownAgent[] {
    return [...this.#agents.values()]
      .filter((a) => !availableOnly || a.status.status === 'available')
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/**
 * The --json output: the status objects, each with `last_seen_ms` (null when its timestamp is unusable)
 * and `routable` (isRoutable); given `replicas` (--replicas), each also with a `replicas` array of its
 * replicas' status objects.
 */
export function agentsJson(
  agents: readonly KnownAgent[],
  now: number,
  replicas?: ReplicaDirectory,
  staleAfterMs = DEFAULT_STALE_AFTER_MS,
): string {
  const rows = agents.map((a) => ({
    ...a.status,
    last_seen_ms: ageMs(a.status.timestamp, now) ?? null,
    routable: isRoutable(a, now, staleAfterMs),
    ...(replicas ? { replicas: replicas.of(a.id).map((r) => replicaJson(r, now)) } : {}),
  }));
  return JSON.stringify(rows, null, 2);
}

const HEADERS = ['ID', 'STATUS', 'ROUTABLE', 'CAPABILITIES', 'TOOLS', 'LOAD', 'LAST SEEN'] as const;

/** One agent's row: id, status, routable, capabilities, tools, load, last seen. */
function agentRow(a: KnownAgent, now: number, staleAfterMs: number): string[] {
  const s = a.status;
  const caps = strings(s.capabilities);
  const tools = strings(s.tools);
  // Every cell but the computed ones is broker text: made safe for the terminal.
  return [
    terminalText(a.id, 64),
    terminalText(String(s.status), 32),
    isRoutable(a, now, staleAfterMs) ? 'yes' : 'no',
    caps.length ? terminalText(caps.join(','), 200) : '-',
    tools.length ? terminalText(tools.join(','), 200) : '-',
    typeof s.load === 'number' ? s.load.toFixed(2) : '-',
    relativeAge(ageMs(s.timestamp, now)),
  ];
}

/**
 * The table: id, status, routable, capabilities, tools, load, last seen; columns padded, status
 * coloured. Given `replicas` (--replicas), each agent's replicas follow it as indented rows.
 */
export function agentsTable(
  agents: readonly KnownAgent[],
  now: number,
  p: Palette,
  replicas?: ReplicaDirectory,
  staleAfterMs = DEFAULT_STALE_AFTER_MS,
): string {
  const rows = agents.flatMap((a) => [
    agentRow(a, now, staleAfterMs),
    ...(replicas?.of(a.id).map((r) => replicaRow(r, now)) ?? []),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[], style: (cell: string, i: number) => string): string =>
    cells.map((c, i) => (i === cells.length - 1 ? style(c, i) : style(c.padEnd(widths[i]!), i))).join('  ');
  const colourStatus = (cell: string, i: number): string =>
    i !== 1 ? cell : cell.trim() === 'available' ? p.green(cell) : p.red(cell);
  return [line(HEADERS, (c) => p.bold(c)), ...rows.map((r) => line(r, colourStatus))].join('\n');
}
