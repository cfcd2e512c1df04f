// How deep a parsed envelope nests arrays and objects, measured without recursion: hostile input may
// nest 100 000 levels in 256 KB, and every recursive consumer (JSON.stringify of the task into the
// prompt, zod, provider SDKs, structuredClone) would overflow the stack on it.

/**
 * Deepest array/object nesting an envelope may hold, the `next` chain not counted (its length is step
 * 5's limit, max_pipeline_depth). 128 is serde_json's recursion limit, which the Rust implementation
 * parses envelopes with: every envelope it accepts passes here. Real task inputs stay far below it,
 * and so do our recursive consumers' stack limits (thousands of frames).
 */
export const MAX_ENVELOPE_NESTING = 128;

/**
 * True if `envelope` nests arrays and objects deeper than `limit` levels. The top-level object is
 * level 1; a `next` object counts at the level of the envelope holding it, so a pipeline of any
 * allowed depth can carry inputs of the full nesting. Iterative: one pass, an explicit stack.
 */
export function nestingExceeds(envelope: unknown, limit: number): boolean {
  if (typeof envelope !== 'object' || envelope === null) return false;
  const nodes: object[] = [envelope];
  const levels: number[] = [1];
  const hops: boolean[] = [!Array.isArray(envelope)]; // an envelope (top level or `next`), not data
  for (;;) {
    const node = nodes.pop();
    if (node === undefined) return false;
    const level = levels.pop()!;
    const hop = hops.pop()!;
    if (level > limit) return true;
    if (Array.isArray(node)) {
      for (const item of node as unknown[]) {
        if (typeof item === 'object' && item !== null) {
          nodes.push(item);
          levels.push(level + 1);
          hops.push(false);
        }
      }
      continue;
    }
    const record = node as Record<string, unknown>;
    for (const key in record) {
      const child = record[key];
      if (typeof child !== 'object' || child === null) continue;
      const nextHop = hop && key === 'next' && !Array.isArray(child);
      nodes.push(child);
      levels.push(nextHop ? level : level + 1);
      hops.push(nextHop);
    }
  }
}
