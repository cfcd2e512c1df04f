// Keys read under another name: the Rust implementation's `[mqtt] heartbeat_interval_secs` is our
// `[lifecycle] heartbeat_seconds`. The alias moves to its key before validation, so nothing else changes.
import type { ConfigProblem } from '../errors.js';
import { isPlainObject } from '../protocol/envelope.js';
import { problemAt, type ConfigSource } from './source.js';

interface KeyAlias {
  readonly from: readonly [string, string];
  readonly to: readonly [string, string];
  /** Undefined when `v` is a valid value, else what it must be. */
  readonly problem: (v: unknown) => string | undefined;
}

const ALIASES: readonly KeyAlias[] = [
  {
    from: ['mqtt', 'heartbeat_interval_secs'],
    to: ['lifecycle', 'heartbeat_seconds'],
    problem: (v) =>
      typeof v === 'number' && Number.isFinite(v) && v > 0 ? undefined : 'must be a number of seconds > 0',
  },
];

/** A value short enough to quote in a problem. */
function shown(v: unknown): string {
  const text = JSON.stringify(v) ?? typeof v;
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * Move each alias in the raw TOML (after env overrides) to its key. An invalid alias value, or an alias
 * and its key both set to different values, is a problem at the alias (AGENT_ERR_CONFIG_INVALID).
 */
export function applyKeyAliases(
  raw: Record<string, unknown>,
  lineOf: ConfigSource['lineOf'],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const { from, to, problem } of ALIASES) {
    const table = raw[from[0]];
    if (!isPlainObject(table) || !Object.hasOwn(table, from[1])) continue;
    const value = table[from[1]];
    delete table[from[1]];
    const invalid = problem(value);
    if (invalid !== undefined) {
      problems.push(problemAt(from, `${shown(value)} ${invalid}`, lineOf));
      continue;
    }
    if (raw[to[0]] === undefined) raw[to[0]] = {};
    const target = raw[to[0]];
    if (!isPlainObject(target)) continue; // the schema reports the malformed table
    if (!Object.hasOwn(target, to[1])) {
      target[to[1]] = value;
    } else if (target[to[1]] !== value) {
      const line = lineOf(to);
      const where = line === undefined ? '' : ` on line ${line}`;
      problems.push(
        problemAt(
          from,
          `${shown(value)} conflicts with ${to.join('.')} = ${shown(target[to[1]])}${where}: set only one`,
          lineOf,
        ),
      );
    }
  }
  return problems;
}
