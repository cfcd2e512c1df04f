// Every log line is scrubbed just before it is written (pino's streamWrite hook), whatever logged it:
// registered secret values, bearer tokens, API-key-looking strings, and the values of fields whose
// names say they hold a secret — as JSON fields of the line, as JSON quoted inside a string of it
// (a provider's error body in a message), and as `name=value` or `name: value` in text. The line
// stays valid JSON. Scrubbing takes time linear in the line's length, whatever the line holds: no
// pattern can backtrack badly, and whether a name is a secret's is decided in code, not by the
// pattern (a `[\w-]*token[\w-]*` name made the engine try every split of a long word).
import { maskSecretValues } from '../protocol/redact.js';
import { replaceMatches, tailEnd } from '../protocol/replace-matches.js';

/** Words that make a field or parameter name a secret's (`api_key`, `x-auth-token`, `OPENAI_API_KEY`). */
const SECRET_NAME_WORD = /api[_-]?key|apikey|token|secret|password|passwd|pwd|credential|authorization/gi;

/** Whether `text` holds a word of SECRET_NAME_WORD (global, so its search starts over each time). */
function holdsSecretWord(text: string): boolean {
  SECRET_NAME_WORD.lastIndex = 0;
  return SECRET_NAME_WORD.test(text);
}

/** "name": before a JSON string value. */
const JSON_FIELD_HEAD = /("[\w-]*")\s*:\s*(?=")/g;
/** A JSON string value (escaped quotes inside are kept whole). */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/y;
/** The same, as JSON inside a JSON string: \"name\": before \"value\". */
const QUOTED_JSON_FIELD_HEAD = /(\\"[\w-]*\\")\s*:\s*(?=\\")/g;
/** \"value\", up to the first \" that no backslash escapes. */
const QUOTED_JSON_STRING = /\\"(?:[^"\\]|\\[^"])*\\"/y;
const BEARER = /\bBearer\s+[\w.~+/=-]+/gi;
const BEARER_WORD = /bearer/i;
const PROVIDER_KEY = /\b(sk|pk|rk)-[\w-]{8,}/g;
/** name=value and "name: value" in text: a whole `[\w-]` word (it starts only where a word starts). */
const TEXT_PAIR_HEAD = /(?<![\w-])([\w-]+)(=|:\s+)(?!Bearer\s)/gi;
/** The value: up to whitespace or a separator; JSON escapes (\" \\) are part of it. */
const TEXT_VALUE = /(?:[^\s&"'\\,;]|\\.)+/y;

/** A rule: when the head's first group names a secret, `mask` replaces up to the end of `value`. */
const maskSecret =
  (head: RegExp, value: RegExp, mask: (m: RegExpExecArray) => string) =>
  (line: string): string =>
    replaceMatches(line, head, (m) => {
      if (!holdsSecretWord(m[1]!)) return undefined;
      const end = tailEnd(line, value, m.index + m[0].length);
      return end < 0 ? undefined : { text: mask(m), end };
    });

/** The index after a quote (`"`, or `\\"` inside a JSON string) at `i`, or -1. */
function afterQuote(line: string, i: number): number {
  if (line.charCodeAt(i) === 0x22) return i + 1;
  return line.startsWith('\\"', i) ? i + 2 : -1;
}

/** The rest of a name (`[\w-]*` of the field patterns), and what their `\s*` skips. */
const NAME_REST = /[\w-]*/y;
const BLANKS = /\s*/y;

/** The index after what the sticky `pattern` (which matches the empty string too) matches at `i`. */
function skip(pattern: RegExp, line: string, i: number): number {
  pattern.lastIndex = i;
  pattern.exec(line);
  return pattern.lastIndex;
}

/** Where the first word naming a secret starts in `line`, or -1 (then no rule about names applies). */
function firstSecretWord(line: string): number {
  SECRET_NAME_WORD.lastIndex = 0;
  return SECRET_NAME_WORD.exec(line)?.index ?? -1;
}

/**
 * Whether a word naming a secret, at `from` or after, ends a name that a string value follows
 * (`…token…": "`, or the same quoted inside a JSON string): what the JSON field rules can mask. A line
 * whose secret-looking names only hold numbers (`"output_tokens":12`, on every task's summary line)
 * skips them. One pass.
 */
function secretNameBeforeString(line: string, from: number): boolean {
  SECRET_NAME_WORD.lastIndex = from;
  for (let m = SECRET_NAME_WORD.exec(line); m !== null; m = SECRET_NAME_WORD.exec(line)) {
    let i = skip(NAME_REST, line, m.index + m[0].length);
    SECRET_NAME_WORD.lastIndex = i; // the rest of this name holds no other ending
    i = afterQuote(line, i);
    if (i < 0) continue;
    i = skip(BLANKS, line, i);
    if (line.charCodeAt(i) !== 0x3a) continue; // ':'
    if (afterQuote(line, skip(BLANKS, line, i + 1)) >= 0) return true;
  }
  return false;
}

/**
 * Each rule with a cheap test of whether it can match at all (the hot path logs a line per task).
 * `first` is where the line's first secret's name starts, -1 if it holds none (no name, no
 * name=value to mask); the first rule, which sees the line unchanged, searches on from there.
 */
const RULES: ReadonlyArray<readonly [(line: string) => string, (line: string, first: number) => boolean]> = [
  // "api_key":"…", "Authorization":"…"
  [
    maskSecret(JSON_FIELD_HEAD, JSON_STRING, (m) => `${m[1]}:"***"`),
    (l, first) => first >= 0 && secretNameBeforeString(l, first),
  ],
  // \"api_key\":\"…\"
  [
    maskSecret(QUOTED_JSON_FIELD_HEAD, QUOTED_JSON_STRING, (m) => `${m[1]}:\\"***\\"`),
    (l, first) => first >= 0 && l.includes('\\"') && secretNameBeforeString(l, 0),
  ],
  [(l) => l.replace(BEARER, 'Bearer ***'), (l) => BEARER_WORD.test(l)],
  [(l) => l.replace(PROVIDER_KEY, '$1-***'), (l) => l.includes('k-')],
  // ("Authorization: Bearer …" is left to the Bearer rule above, which keeps the word.)
  [
    maskSecret(TEXT_PAIR_HEAD, TEXT_VALUE, (m) => `${m[1]}${m[2]}***`),
    (l, first) => first >= 0 && (l.includes('=') || l.includes(': ')),
  ],
];

/** Every regular expression scrubLogLine applies to a line (checked for ReDoS by a test). */
export const LOG_SCRUB_PATTERNS: readonly RegExp[] = [
  SECRET_NAME_WORD,
  NAME_REST,
  BLANKS,
  JSON_FIELD_HEAD,
  JSON_STRING,
  QUOTED_JSON_FIELD_HEAD,
  QUOTED_JSON_STRING,
  BEARER,
  BEARER_WORD,
  PROVIDER_KEY,
  TEXT_PAIR_HEAD,
  TEXT_VALUE,
];

export function scrubLogLine(line: string): string {
  let out = maskSecretValues(line, { json: true });
  const first = firstSecretWord(out);
  for (const [rule, applies] of RULES) if (applies(out, first)) out = rule(out);
  return out;
}
