// Redaction and capping of error text that leaves the process (PROTOCOL.md §3.5, RULE-002).

export const MAX_ERROR_MESSAGE_CHARS = 500;

const secretValues = new Set<string>();

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
      if (/["\\]/.test(secret)) continue; // raw quotes or backslashes cannot stand in valid JSON
    }
    if (out.includes(secret)) out = out.split(secret).join('***');
  }
  return out;
}

const RULES: Array<[RegExp, string]> = [
  // Bearer first: `Authorization: Bearer <t>` would otherwise only mask the word "Bearer" below.
  [/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer ***'],
  // key=value and key: value pairs whose key looks secret (the key may be quoted, as in JSON)
  [
    /\b([\w-]*(?:api[_-]?key|token|secret|password|passwd|pwd|credential|auth)[\w-]*["']?)\s*([=:])\s*("[^"]*"|'[^']*'|[^\s,;&]+)/gi,
    '$1$2***',
  ],
  [/\b(sk|pk|rk)-[\w-]{8,}/g, '$1-***'],
  // URLs carry hostnames of internal services
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"]+/gi, '<url>'],
  // host:port and bare IPv4 addresses
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<address>'],
  [/\b(?:[a-z0-9-]+\.)+(?:internal|local|lan|svc|cluster)(?::\d+)?\b/gi, '<host>'],
  // absolute file paths (POSIX and Windows)
  [/(^|[\s'"(=])(?:\/[\w.@-]+){2,}\/?/g, '$1<path>'],
  [/\b[A-Za-z]:\\[^\s'"]+/g, '<path>'],
];

/** Strip stack traces, secrets, URLs, addresses and paths; cap at 500 characters. */
export function redactErrorMessage(message: string): string {
  let text = message
    .split('\n')
    .filter((line) => !/^\s+at\s/.test(line))
    .join(' ')
    .trim();
  text = maskSecretValues(text);
  for (const name of credentialNames) if (text.includes(name)) text = text.split(name).join('***');
  for (const [pattern, replacement] of RULES) text = text.replace(pattern, replacement);
  if (text.length === 0) text = 'error';
  if (text.length > MAX_ERROR_MESSAGE_CHARS) text = text.slice(0, MAX_ERROR_MESSAGE_CHARS - 1) + '…';
  return text;
}
