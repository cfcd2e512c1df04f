// Every log line is scrubbed just before it is written (pino's streamWrite hook), whatever logged it:
// registered secret values, bearer tokens, API-key-looking strings, and the values of fields whose
// names say they hold a secret — as JSON fields of the line, as JSON quoted inside a string of it
// (a provider's error body in a message), and as `name=value` or `name: value` in text. The line
// stays valid JSON.
import { maskSecretValues } from '../protocol/redact.js';

const SECRET_NAME = String.raw`[\w-]*(?:api[_-]?key|apikey|token|secret|password|passwd|pwd|credential|authorization)[\w-]*`;
/** A value in text: up to whitespace or a separator; JSON escapes (\" \\) are part of it. */
const TEXT_VALUE = String.raw`(?:[^\s&"'\\,;]|\\.)+`;

/** Each rule with a cheap test of whether it can match at all (the hot path logs a line per task). */
const RULES: ReadonlyArray<readonly [RegExp, string, (line: string) => boolean]> = [
  // "api_key":"…", "Authorization":"…" (a JSON string value; escaped quotes inside are kept whole)
  [new RegExp(String.raw`("${SECRET_NAME}")\s*:\s*"(?:[^"\\]|\\.)*"`, 'gi'), '$1:"***"', () => true],
  // the same, as JSON inside a JSON string: \"api_key\":\"…\"
  [
    new RegExp(String.raw`(\\"${SECRET_NAME}\\")\s*:\s*\\"(?:[^"\\]|\\[^"]|\\\\)*?\\"`, 'gi'),
    '$1:\\"***\\"',
    (l) => l.includes('\\"'),
  ],
  [/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer ***', (l) => /bearer/i.test(l)],
  [/\b(sk|pk|rk)-[\w-]{8,}/g, '$1-***', (l) => l.includes('k-')],
  // name=value and "name: value" inside text: a query string, a command line, an error message
  // ("Authorization: Bearer …" is left to the Bearer rule above, which keeps the word.)
  [
    new RegExp(String.raw`\b(${SECRET_NAME})(=|:\s+)(?!Bearer\s)(${TEXT_VALUE})`, 'gi'),
    '$1$2***',
    (l) => l.includes('=') || l.includes(': '),
  ],
];

export function scrubLogLine(line: string): string {
  let out = maskSecretValues(line, { json: true });
  for (const [pattern, replacement, applies] of RULES)
    if (applies(out)) out = out.replace(pattern, replacement);
  return out;
}
