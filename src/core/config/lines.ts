// Best-effort line numbers for a dotted key path in TOML text (for error messages).

function headerPath(line: string): string | undefined {
  const m = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/.exec(line);
  return m?.[1]?.replace(/\s*\.\s*/g, '.').replace(/"/g, '');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Line of `key = …` (or `key.sub = …`) inside the table `table` ('' = top level), if present. */
function findKey(lines: readonly string[], table: string, key: string): number | undefined {
  const keyPattern = new RegExp(`^\\s*"?${escapeRegExp(key)}"?\\s*[=.]`);
  let inTable = table === '';
  for (let i = 0; i < lines.length; i++) {
    const header = headerPath(lines[i]!);
    if (header !== undefined) {
      if (inTable && table !== '') return undefined;
      inTable = header === table;
      if (table === '') return undefined;
      continue;
    }
    if (inTable && keyPattern.test(lines[i]!)) return i + 1;
  }
  return undefined;
}

/**
 * 1-based line of `path` (e.g. ["agent", "id"]) in `text`: the key itself if written, else the
 * header of the deepest table on the path that exists (so a missing key points at its table).
 */
export function lineOfKey(text: string, path: readonly (string | number)[]): number | undefined {
  const lines = text.split(/\r?\n/);
  const keys = path.map(String);
  for (let split = keys.length - 1; split >= 0; split--) {
    const found = findKey(lines, keys.slice(0, split).join('.'), keys[split]!);
    if (found !== undefined) return found;
  }
  for (let depth = keys.length; depth > 0; depth--) {
    const table = keys.slice(0, depth).join('.');
    const at = lines.findIndex((l) => headerPath(l) === table);
    if (at >= 0) return at + 1;
  }
  return undefined;
}
