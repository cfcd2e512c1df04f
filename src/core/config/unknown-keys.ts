// Unknown-key warnings with "did you mean", and hoisting of top-level keys that TOML scoped into a table.
import { isPlainObject } from '../protocol/envelope.js';
import { mcpServerTable } from './mcp-section.js';
import { configSchema, toolTableSchema } from './schema.js';
import { objectShape } from './shape.js';
import { suggestKey } from './suggest.js';

export interface ConfigWarning {
  path: string;
  message: string;
  /** 1-based line of the key in the config file, when known. */
  line?: number;
  /** Set on unknown-key warnings (`validate --strict` makes them errors): the key the name is closest to. */
  unknownKey?: { suggestion?: string };
}

const rootShape = objectShape(configSchema)!;
const TOP_LEVEL_SCALARS = Object.keys(rootShape).filter(
  (k) => objectShape(rootShape[k]!) === undefined && k !== 'tools',
);

/**
 * TOML puts every key after a `[table]` header into that table, so the Rust version's "performance tuning"
 * keys written at the end of the file land in the last table. Move such keys back to the top level.
 */
export function hoistTopLevelKeys(raw: Record<string, unknown>): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  const visit = (table: Record<string, unknown>, path: string[], known: Set<string>): void => {
    for (const key of Object.keys(table)) {
      if (TOP_LEVEL_SCALARS.includes(key) && !known.has(key) && !isPlainObject(table[key])) {
        const where = [...path, key].join('.');
        if (raw[key] === undefined) {
          raw[key] = table[key];
          warnings.push({
            path: where,
            message: `is a top-level setting; TOML placed it under [${path.join('.')}] — applied as top-level ${key} (move it above the first [table] header)`,
          });
        } else {
          warnings.push({ path: where, message: `ignored: top-level ${key} is already set` });
        }
        delete table[key];
      }
    }
  };
  for (const [section, value] of Object.entries(raw)) {
    if (!isPlainObject(value)) continue;
    if (section === 'tools' || section === 'mcp') {
      const entrySchema = section === 'tools' ? toolTableSchema : mcpServerTable;
      const entryKeys = new Set(Object.keys(objectShape(entrySchema)!));
      for (const [name, entry] of Object.entries(value)) {
        if (isPlainObject(entry)) visit(entry, [section, name], entryKeys);
      }
    } else {
      const shape = rootShape[section] ? objectShape(rootShape[section]) : undefined;
      visit(value, [section], new Set(Object.keys(shape ?? {})));
    }
  }
  return warnings;
}

function unknownIn(
  table: Record<string, unknown>,
  known: readonly string[],
  path: string[],
  out: ConfigWarning[],
): void {
  for (const key of Object.keys(table)) {
    if (known.includes(key)) continue;
    const hint = suggestKey(key, known);
    const suggestion = hint === undefined ? undefined : [...path, hint].join('.');
    out.push({
      path: [...path, key].join('.'),
      message: `is not a known key and is ignored${suggestion ? ` — did you mean ${suggestion}?` : ''}`,
      unknownKey: suggestion ? { suggestion } : {},
    });
  }
}

/** Warn about keys the schema does not know. `[tools.x] config` tables are free-form (owned by the tool). */
export function findUnknownKeys(raw: Record<string, unknown>): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  unknownIn(raw, Object.keys(rootShape), [], warnings);
  for (const [section, value] of Object.entries(raw)) {
    const schema = rootShape[section];
    if (!schema || !isPlainObject(value)) continue;
    if (section === 'tools') {
      const toolKeys = Object.keys(objectShape(toolTableSchema)!);
      for (const [name, entry] of Object.entries(value)) {
        if (isPlainObject(entry)) unknownIn(entry, toolKeys, ['tools', name], warnings);
      }
      continue;
    }
    const shape = objectShape(schema);
    if (!shape) continue;
    unknownIn(value, Object.keys(shape), [section], warnings);
    for (const [key, sub] of Object.entries(value)) {
      const subShape = shape[key] ? objectShape(shape[key]) : undefined;
      if (subShape && isPlainObject(sub)) unknownIn(sub, Object.keys(subShape), [section, key], warnings);
    }
  }
  return warnings;
}
