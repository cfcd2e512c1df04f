// What changed between two validated configs, and how each change is applied (live, reconnect, restart).
import { isPlainObject } from '../protocol/envelope.js';
import type { AgentConfig } from './schema.js';

/** `live`: the next generation; `reconnect`: a controlled reconnect; `restart`: only at the next start. */
export type ApplyMode = 'live' | 'reconnect' | 'restart';

export interface ConfigChange {
  /** Dotted key, e.g. `llm.system_prompt`, `tools.word_count`, `mqtt.embedded.port`. */
  readonly key: string;
  readonly kind: 'added' | 'removed' | 'changed';
  readonly from?: unknown;
  readonly to?: unknown;
  readonly applies: ApplyMode;
}

/** Keys (or key prefixes ending in `.`) that need a new broker connection. */
const RECONNECT = ['agent.id', 'agent.replica_id', 'mqtt.', 'prefetch_tasks'];
/** Keys only read at startup (the dedupe store is opened once; its size and TTL follow live). */
const RESTART = [
  'log.format',
  'log.redact',
  'health.',
  'dedupe.store',
  'dedupe.file',
  'dedupe.redis_url_env',
  'dedupe.key_prefix',
];

export function applyModeOf(key: string): ApplyMode {
  const matches = (rule: string): boolean => (rule.endsWith('.') ? key.startsWith(rule) : key === rule);
  if (RECONNECT.some(matches)) return 'reconnect';
  if (RESTART.some(matches)) return 'restart';
  return 'live';
}

/**
 * Flatten to dotted keys: tables become prefixes, except `[tools.NAME]` (one value per tool, so a
 * reconfigured tool is one change) and arrays (compared whole).
 */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (!isPlainObject(value)) {
    out.set(prefix, value);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (key === 'tools' && isPlainObject(v))
      for (const [name, t] of Object.entries(v)) out.set(`tools.${name}`, t);
    else flatten(v, key, out);
  }
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every key whose value differs, in a stable order (the order of `next`, then removed keys). */
export function diffConfigs(prev: AgentConfig, next: AgentConfig): ConfigChange[] {
  const before = new Map<string, unknown>();
  const after = new Map<string, unknown>();
  flatten(prev, '', before);
  flatten(next, '', after);
  const changes: ConfigChange[] = [];
  for (const key of new Set([...after.keys(), ...before.keys()])) {
    const from = before.get(key);
    const to = after.get(key);
    if (same(from, to)) continue;
    const kind = from === undefined ? 'added' : to === undefined ? 'removed' : 'changed';
    changes.push({
      key,
      kind,
      ...(from !== undefined ? { from } : {}),
      ...(to !== undefined ? { to } : {}),
      applies: applyModeOf(key),
    });
  }
  return changes;
}

/** A value short enough to show in a log line; long strings, tables and arrays are only named. */
function shown(v: unknown): string | undefined {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v === 'string' && v.length <= 32 && !/\s{2,}|\n/.test(v)) return JSON.stringify(v);
  return undefined;
}

/** One line: `llm.model "a" → "b", tools.word_count added, llm.system_prompt changed`. */
export function summarizeChanges(changes: readonly ConfigChange[]): string {
  if (changes.length === 0) return 'no changes';
  return changes
    .map((c) => {
      if (c.kind !== 'changed') return `${c.key} ${c.kind}`;
      const [from, to] = [shown(c.from), shown(c.to)];
      return from !== undefined && to !== undefined ? `${c.key} ${from} → ${to}` : `${c.key} changed`;
    })
    .join(', ');
}
