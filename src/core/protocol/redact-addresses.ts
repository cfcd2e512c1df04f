// URLs and internal host names in error text (RULE-002), found in time linear in the text's length.
//
// The former patterns (`\b[a-z][a-z0-9+.-]*://…`, `\b(?:[a-z0-9-]+\.)+(?:internal|…)`) let the engine
// start at every word boundary of a long `a.a.a.…` run and scan the rest of it each time (17 s for one
// long host name). Here each pattern starts only where a run starts, and the leftmost word boundary
// the old `\b` would have picked is found by a scan of that run: what is replaced stays the same.
import { replaceMatches, tailEnd } from './replace-matches.js';

/** True when `text[i]` is a `\w` character (ASCII letter, digit, underscore). */
function isWordAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i); // NaN outside the text: not a word character
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/** `\b` at `i`. */
function isBoundary(text: string, i: number): boolean {
  return isWordAt(text, i - 1) !== isWordAt(text, i);
}

function isLetterAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i) | 0x20;
  return c >= 97 && c <= 122;
}

/** A run of scheme characters and `://`; it starts only where a run does. */
export const URL_HEAD_PATTERN = /(?<![a-z0-9+.-])([a-z0-9+.-]+):\/\//gi;
/** The rest of a URL, up to whitespace or a quote. */
export const URL_TAIL_PATTERN = /[^\s'"]+/y;

/** Every URL becomes `<url>`: from the first letter at a word boundary of its scheme run (as `\b[a-z]`). */
export function redactUrls(text: string): string {
  if (!text.includes('://')) return text;
  return replaceMatches(text, URL_HEAD_PATTERN, (m) => {
    const schemeEnd = m.index + m[1]!.length;
    let start = m.index;
    while (start < schemeEnd && !(isLetterAt(text, start) && isBoundary(text, start))) start++;
    if (start === schemeEnd) return undefined;
    const end = tailEnd(text, URL_TAIL_PATTERN, m.index + m[0].length);
    return end < 0 ? undefined : { text: `${text.slice(m.index, start)}<url>`, end };
  });
}

/** Host-name labels separated by single dots: a run no host name can span past. */
export const HOST_CHAIN_PATTERN = /[a-z0-9-]+(?:\.[a-z0-9-]+)*/gi;
/** At a dot: an internal top-level label, an optional port, then a word boundary. */
export const INTERNAL_SUFFIX_PATTERN = /\.(?:internal|local|lan|svc|cluster)(?::\d+)?\b/iy;
/** The cheap test first: most texts name no internal host at all. */
export const ANY_INTERNAL_SUFFIX_PATTERN = /\.(?:internal|local|lan|svc|cluster)/i;

/**
 * `db.prod.internal:5432` and the like become `<host>`: the same matches as the greedy
 * `\b(?:[a-z0-9-]+\.)+(?:internal|local|lan|svc|cluster)(?::\d+)?\b` — in each chain of labels, from
 * the first word boundary to the end of the last internal suffix.
 */
export function redactInternalHosts(text: string): string {
  if (!ANY_INTERNAL_SUFFIX_PATTERN.test(text)) return text;
  const parts: string[] = [];
  let kept = 0;
  const chain = HOST_CHAIN_PATTERN;
  chain.lastIndex = 0;
  for (let m = chain.exec(text); m !== null; m = chain.exec(text)) {
    let lastDot = -1;
    let hostEnd = -1;
    for (let i = m[0].indexOf('.'); i !== -1; i = m[0].indexOf('.', i + 1)) {
      const dot = m.index + i;
      INTERNAL_SUFFIX_PATTERN.lastIndex = dot;
      const suffix = INTERNAL_SUFFIX_PATTERN.exec(text);
      if (suffix) [lastDot, hostEnd] = [dot, dot + suffix[0].length];
    }
    if (lastDot < 0) continue;
    let start = m.index;
    while (start < lastDot && (text[start] === '.' || !isBoundary(text, start))) start++;
    if (start === lastDot) continue;
    parts.push(text.slice(kept, start), '<host>');
    kept = hostEnd;
    chain.lastIndex = hostEnd;
  }
  if (parts.length === 0) return text;
  parts.push(text.slice(kept));
  return parts.join('');
}
