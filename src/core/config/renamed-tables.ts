// Tables that were renamed: the old name is still read, its keys move to the new table, with a warning.
import { isPlainObject } from '../protocol/envelope.js';
import type { ConfigWarning } from './unknown-keys.js';

/** Old table → new table. `[idempotency]` became `[dedupe]` when the duplicate record got stores. */
const RENAMED: Readonly<Record<string, string>> = { idempotency: 'dedupe' };

/** Move the keys of renamed tables into their new table (a key the new table sets wins). */
export function moveRenamedTables(raw: Record<string, unknown>): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  for (const [old, now] of Object.entries(RENAMED)) {
    const table = raw[old];
    if (table === undefined) continue;
    delete raw[old];
    if (!isPlainObject(table)) {
      warnings.push({ path: old, message: `is the old name of [${now}] and is not a table: ignored` });
      continue;
    }
    const target = isPlainObject(raw[now]) ? raw[now] : {};
    const moved = Object.keys(table).filter((k) => !(k in target));
    for (const k of moved) target[k] = table[k];
    raw[now] = target;
    warnings.push({
      path: old,
      message: `is the old name of [${now}]: ${moved.length > 0 ? `read as ${moved.map((k) => `${now}.${k}`).join(', ')}` : `ignored, [${now}] sets the same keys`} (rename the table)`,
    });
  }
  return warnings;
}
