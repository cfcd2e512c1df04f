// Best-effort line numbers for a dotted key path in TOML text (for error messages).

function headerPath(line: string): string | undefined {
  const m = /^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$/.exec(line);
  return m?.[1]?.replace(/\s*\.\s*/g, '.').replace(/"/g, '');
}

/** 1-based line of `path` (e.g. ["agent", "id"]) in `text`, or undefined when it cannot be found. */
export function lineOfKey(text: string, path: readonly (string | number)[]): number | undefined {
  const lines = text.split(/\r?\n/);
  const keys = path.map(String);
  // Try the longest table prefix first: [a.b] then key, else [a] then b.key / b = {…}
  for (let split = keys.length - 1; split >= 0; split--) {
    const table = keys.slice(0, split).join('.');
    const key = keys[split];
    if (key === undefined) continue;
    let inTable = table === '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const header = headerPath(line);
      if (header !== undefined) {
        if (inTable && split > 0) break;
        inTable = header === table;
        if (inTable && split === keys.length) return i + 1;
        continue;
      }
      if (
        inTable &&
        new RegExp(`^\\s*"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*[=.]`).test(line)
      ) {
        return i + 1;
      }
    }
  }
  return undefined;
}
