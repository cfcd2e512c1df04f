// Secrets written inline (`password = "…"` where `password_env` belongs) are an error that says the fix;
// the value itself is never repeated (it is removed from the raw config before anything else sees it).
import type { ConfigProblem } from '../errors.js';
import { isPlainObject } from '../protocol/envelope.js';
import { configSchema } from './schema.js';
import { objectShape } from './shape.js';
import { problemAt, type ConfigSource } from './source.js';

/** Table → the keys read through an environment variable (`password` for `password_env`), from the schema. */
function secretKeysByTable(): ReadonlyMap<string, readonly string[]> {
  const out = new Map<string, string[]>();
  for (const [table, schema] of Object.entries(objectShape(configSchema)!)) {
    const keys = Object.keys(objectShape(schema) ?? {})
      .filter((k) => k.endsWith('_env'))
      .map((k) => k.slice(0, -'_env'.length));
    if (keys.length > 0) out.set(table, keys);
  }
  return out;
}

const SECRET_KEYS = secretKeysByTable();

/**
 * One problem per inline secret (`[mqtt] password`, `[llm] api_key`, `[dedupe] redis_url`, …), at its key
 * and line; each is deleted from `raw`, so no unknown-key warning and no message ever carries its value.
 */
export function takeInlineSecrets(
  raw: Record<string, unknown>,
  lineOf: ConfigSource['lineOf'],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [table, keys] of SECRET_KEYS) {
    const section = raw[table];
    if (!isPlainObject(section)) continue;
    for (const key of keys) {
      if (!Object.hasOwn(section, key)) continue;
      delete section[key];
      problems.push(
        problemAt(
          [table, key],
          `must not be written in the config file (it would hold a secret): use ${key}_env = "VAR" ` +
            `and export VAR in the agent's environment`,
          lineOf,
        ),
      );
    }
  }
  return problems;
}
