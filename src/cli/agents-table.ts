// `agent2389 agents`: keep the latest status message per agent and render it as a table or JSON (pure).
import { isPlainObject } from '../core/protocol/envelope.js';
import { replicaJson, replicaRow, type ReplicaDirectory } from './agents-replicas.js';
import { ageMs, relativeAge } from './display-text.js';
import { parseTopic } from './observed-message.js';
import type { Palette } from './terminal-style.js';

/** A status message as received (unknown fields kept), keyed by its agent. */
export interface KnownAgent {
  readonly id: string;
  readonly status: Record<string, unknown>;
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
    this.#agents.set(area.agentId, { id: area.agentId, status });
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
 * The --json output: the status objects, each with `last_seen_ms` (null when its timestamp is unusable);
 * given `replicas` (--replicas), each also with a `replicas` array of its replicas' status objects.
 */
export function agentsJson(agents: readonly KnownAgent[], now: number, replicas?: ReplicaDirectory): string {
  const rows = agents.map((a) => ({
    ...a.status,
    last_seen_ms: ageMs(a.status.timestamp, now) ?? null,
    ...(replicas ? { replicas: replicas.of(a.id).map((r) => replicaJson(r, now)) } : {}),
  }));
  return JSON.stringify(rows, null, 2);
}

const HEADERS = ['ID', 'STATUS', 'CAPABILITIES', 'TOOLS', 'LOAD', 'LAST SEEN'] as const;

/** One agent's row: id, status, capabilities, tools, load, last seen. */
function agentRow(a: KnownAgent, now: number): string[] {
  const s = a.status;
  const caps = strings(s.capabilities);
  const tools = strings(s.tools);
  return [
    a.id,
    String(s.status),
    caps.length ? caps.join(',') : '-',
    tools.length ? tools.join(',') : '-',
    typeof s.load === 'number' ? s.load.toFixed(2) : '-',
    relativeAge(ageMs(s.timestamp, now)),
  ];
}

/**
 * The table: id, status, capabilities, tools, load, last seen; columns padded, status coloured.
 * Given `replicas` (--replicas), each agent's replicas follow it as indented rows.
 */
export function agentsTable(
  agents: readonly KnownAgent[],
  now: number,
  p: Palette,
  replicas?: ReplicaDirectory,
): string {
  const rows = agents.flatMap((a) => [
    agentRow(a, now),
    ...(replicas?.of(a.id).map((r) => replicaRow(r, now)) ?? []),
  ]);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[], style: (cell: string, i: number) => string): string =>
    cells.map((c, i) => (i === cells.length - 1 ? style(c, i) : style(c.padEnd(widths[i]!), i))).join('  ');
  const colourStatus = (cell: string, i: number): string =>
    i !== 1 ? cell : cell.trim() === 'available' ? p.green(cell) : p.red(cell);
  return [line(HEADERS, (c) => p.bold(c)), ...rows.map((r) => line(r, colourStatus))].join('\n');
}
