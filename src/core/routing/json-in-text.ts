// Finds a JSON object inside free text (an LLM answer with prose or a ```json fence): bounded work, never throws.

/** At most this many `{` positions are tried, so hostile text costs at most this many linear scans. */
export const MAX_OBJECT_CANDIDATES = 32;

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;

/** Index just past the `}` that closes the object opened at `start` (strings respected), or -1. */
function closingIndex(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN) depth++;
    else if (c === CLOSE && --depth === 0) return i + 1;
  }
  return -1;
}

function parseObject(slice: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(slice);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The first balanced `{…}` in `text` that parses as a JSON object and satisfies `prefer`; failing that,
 * the first one that parses at all; undefined if none is found within MAX_OBJECT_CANDIDATES tries.
 */
export function findJsonObject(
  text: string,
  prefer: (value: Record<string, unknown>) => boolean = () => true,
): Record<string, unknown> | undefined {
  let first: Record<string, unknown> | undefined;
  let from = 0;
  for (let tries = 0; tries < MAX_OBJECT_CANDIDATES; tries++) {
    const start = text.indexOf('{', from);
    if (start < 0) break;
    const end = closingIndex(text, start);
    const value = end < 0 ? undefined : parseObject(text.slice(start, end));
    if (value && prefer(value)) return value;
    first ??= value;
    // After a parsed object, skip its insides; otherwise try the next `{`.
    from = value ? end : start + 1;
  }
  return first;
}
