// One log call writes exactly one line, and no control character from logged data reaches the
// reader's terminal: C0 controls (\n \r \t ESC …), DEL, C1 controls (U+0080–U+009F, of which U+009B
// is a CSI to some terminals) and the line separators U+2028/U+2029. pino's JSON already escapes C0
// inside strings; these functions run on every written line (pino's streamWrite hook), after the
// secrets are scrubbed, and cost one scan of the line when it holds nothing to escape.

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const RAW_CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
/** A JSON escape that stands for a control character (`\n`, `\u001b`, `\u0085`, `\u2028`). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const PRETTY_SUSPECT = /\\[bfnrtu]|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
/** A control escape, any other escape (kept whole so `\\n` stays a backslash and an n), or a raw control. */
const PRETTY_ESCAPES =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /\\(?:[bfnrt]|u(?:00[01][0-9a-fA-F]|007[fF]|00[89][0-9a-fA-F]|202[89]))|\\[^]|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Every regular expression applied to a written line (checked for ReDoS by a test). */
export const LOG_ESCAPE_PATTERNS: readonly RegExp[] = [
  RAW_CONTROL,
  RAW_CONTROL_ALL,
  PRETTY_SUSPECT,
  PRETTY_ESCAPES,
];

const unicodeEscape = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** `line` less its final newline, and that newline ('' when there is none). */
function splitEnd(line: string): [string, string] {
  return line.endsWith('\n') ? [line.slice(0, -1), '\n'] : [line, ''];
}

/**
 * A JSON log line with every raw control character written as a `\uXXXX` escape: the same JSON
 * value, on one line, with no raw DEL, C1 or U+2028 (which JSON.stringify leaves as they are).
 */
export function escapeJsonLogLine(line: string): string {
  const [body, end] = splitEnd(line);
  if (!RAW_CONTROL.test(body)) return line;
  return body.replace(RAW_CONTROL_ALL, unicodeEscape) + end;
}

/**
 * A JSON log line about to be pretty-printed: pino-pretty parses it and writes its strings as they
 * are, so a control character must reach it as visible text (`\n` as a backslash and an n, ESC as
 * `\u001b`). Its own colours are added after this, and stay.
 */
export function escapePrettyLogLine(line: string): string {
  const [body, end] = splitEnd(line);
  if (!PRETTY_SUSPECT.test(body)) return line;
  const escaped = body.replace(PRETTY_ESCAPES, (s) => {
    if (s.length === 1) return `\\${unicodeEscape(s)}`; // raw: the JSON text of a visible \uXXXX
    if (s.length === 6 || 'bfnrt'.includes(s[1]!)) return `\\${s}`; // \n in JSON becomes \\n
    return s;
  });
  return escaped + end;
}
