// Redaction and capping of error text that leaves the process (docs/protocol.md §3.5, RULE-002).
// Every rule runs in time linear in the text's length, whatever the text (no pattern can backtrack
// badly: an error message can echo a hostile envelope's field or a tool's output).
import {
  ANY_INTERNAL_SUFFIX_PATTERN,
  HOST_CHAIN_PATTERN,
  INTERNAL_SUFFIX_PATTERN,
  URL_HEAD_PATTERN,
  URL_TAIL_PATTERN,
  redactInternalHosts,
  redactUrls,
} from './redact-addresses.js';
import { replaceMatches, tailEnd } from './replace-matches.js';

export const MAX_ERROR_MESSAGE_CHARS = 500;

const secretValues = new Set<string>();

/** Characters that cannot stand raw inside a JSON string. */
const RAW_SECRET_CHARS = /["\\]/;

/** Credentials that are not secrets (an MQTT user name): kept off the wire, but fine in logs. */
const credentialNames = new Set<string>();

/** Register a secret (e.g. a resolved API key) so it is masked wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) secretValues.add(value);
}

/** Register a user name: masked in error messages that leave the process (RULE-002), not in logs. */
export function registerCredentialName(value: string | undefined): void {
  if (value && value.length >= 4) credentialNames.add(value);
}

/**
 * Registered secret values anywhere in `text` become `***`. With `json`, `text` is serialized JSON:
 * a secret holding quotes or backslashes appears there escaped, and that form is masked first (so a
 * mask never cuts an escape sequence in two).
 */
export function maskSecretValues(text: string, opts: { json?: boolean } = {}): string {
  let out = text;
  for (const secret of secretValues) {
    if (opts.json) {
      const escaped = JSON.stringify(secret).slice(1, -1);
      if (escaped !== secret && out.includes(escaped)) out = out.split(escaped).join('***');
      if (RAW_SECRET_CHARS.test(secret)) continue; // raw quotes or backslashes cannot stand in valid JSON
    }
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

/** Words that make a `name=value` or `name: value` a secret (the name may be quoted, as in JSON). */
const SECRET_NAME_WORD = /api[_-]?key|token|secret|password|passwd|pwd|credential|auth/i;

/** A whole `[\w-]` word (it starts only where a word starts; maybe quoted), then `=` or `:`. */
const SECRET_PAIR_HEAD = /(?<![\w-])([\w-]+["']?)\s*([=:])\s*/g;
/** The value after it: quoted, or up to whitespace or a separator. */
const SECRET_PAIR_VALUE = /"[^"]*"|'[^']*'|[^\s,;&]+/y;

/** The literal patterns of the rules below; every pattern the redaction uses is in REDACT_PATTERNS. */
const BEARER = /\bBearer\s+[\w.~+/=-]+/gi;
const PROVIDER_KEY = /\b(sk|pk|rk)-[\w-]{8,}/g;
const IPV4_ADDRESS = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g;
const POSIX_PATH = /(^|[\s'"(=])(?:\/[\w.@-]+){2,}\/?/g;
const WINDOWS_PATH = /\b[A-Za-z]:\\[^\s'"]+/g;
const STACK_LINE = /^\s+at\s/;

/** Each rule in order; each is linear in the text's length (test/core/protocol/redact-redos.test.ts). */
const RULES: ReadonlyArray<(text: string) => string> = [
  // Bearer first: `Authorization: Bearer <t>` would otherwise only mask the word "Bearer" below.
  (t) => t.replace(BEARER, 'Bearer ***'),
  // key=value and key: value pairs whose key looks secret (the key may be quoted, as in JSON)
  (t) =>
    replaceMatches(t, SECRET_PAIR_HEAD, (m) => {
      if (!SECRET_NAME_WORD.test(m[1]!)) return undefined;
      const end = tailEnd(t, SECRET_PAIR_VALUE, m.index + m[0].length);
      return end < 0 ? undefined : { text: `${m[1]}${m[2]}***`, end };
    }),
  (t) => t.replace(PROVIDER_KEY, '$1-***'),
  // URLs carry hostnames of internal services
  redactUrls,
  // host:port and bare IPv4 addresses
  (t) => t.replace(IPV4_ADDRESS, '<address>'),
  redactInternalHosts,
  // absolute file paths (POSIX and Windows)
  (t) => t.replace(POSIX_PATH, '$1<path>'),
  (t) => t.replace(WINDOWS_PATH, '<path>'),
];

/** Every regular expression redactErrorMessage applies to untrusted text (checked for ReDoS by a test). */
export const REDACT_PATTERNS: readonly RegExp[] = [
  BEARER,
  SECRET_NAME_WORD,
  SECRET_PAIR_HEAD,
  SECRET_PAIR_VALUE,
  PROVIDER_KEY,
  URL_HEAD_PATTERN,
  URL_TAIL_PATTERN,
  IPV4_ADDRESS,
  ANY_INTERNAL_SUFFIX_PATTERN,
  HOST_CHAIN_PATTERN,
  INTERNAL_SUFFIX_PATTERN,
  POSIX_PATH,
  WINDOWS_PATH,
  STACK_LINE,
  RAW_SECRET_CHARS,
];

/**
 * Only this much of a message goes through the rules (the result is capped at 500 characters
 * anyway); registered secrets are masked in the whole message first.
 */
export const MAX_REDACTED_INPUT_CHARS = 16 * 1024;

/**
 * The first MAX_REDACTED_INPUT_CHARS characters and ` …`, less the word the cut went through (a
 * `sk-…` key cut short would no longer look like one).
 */
function boundedInput(text: string): string {
  if (text.length <= MAX_REDACTED_INPUT_CHARS) return text;
  const cut = text.slice(0, MAX_REDACTED_INPUT_CHARS);
  const lastSpace = /\s/.test(text[MAX_REDACTED_INPUT_CHARS]!)
    ? cut.length
    : Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\t'));
  return `${lastSpace > 0 ? cut.slice(0, lastSpace) : cut} …`;
}

/** The pattern rules alone (secrets, URLs, addresses, paths), on a text of any length. */
export function applyRedactionRules(text: string): string {
  let out = text;
  for (const rule of RULES) out = rule(out);
  return out;
}

/** Strip stack traces, secrets, URLs, addresses and paths; cap at 500 characters. */
export function redactErrorMessage(message: string): string {
  let text = message
    .split('\n')
    .filter((line) => !STACK_LINE.test(line))
    .join(' ')
    .trim();
  text = maskSecretValues(text);
  for (const name of credentialNames) if (text.includes(name)) text = text.split(name).join('***');
  text = applyRedactionRules(boundedInput(text));
  if (text.length === 0) text = 'error';
  if (text.length > MAX_ERROR_MESSAGE_CHARS) text = text.slice(0, MAX_ERROR_MESSAGE_CHARS - 1) + '…';
  return text;
}
