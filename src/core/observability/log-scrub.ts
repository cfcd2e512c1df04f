// Every log line is scrubbed just before it is written (pino's streamWrite hook), whatever logged it:
// registered secret values, bearer tokens, API-key-looking strings, and the values of JSON fields
// whose names say they hold a secret. The line stays valid JSON.
import { maskSecretValues } from '../protocol/redact.js';

const SECRET_NAME = String.raw`[\w-]*(?:api[_-]?key|apikey|token|secret|password|passwd|pwd|credential|authorization)[\w-]*`;

const RULES: ReadonlyArray<readonly [RegExp, string]> = [
  // "api_key":"…", "Authorization":"…" (a JSON string value; escaped quotes inside are kept whole)
  [new RegExp(String.raw`("${SECRET_NAME}")\s*:\s*"(?:[^"\\]|\\.)*"`, 'gi'), '$1:"***"'],
  [/\bBearer\s+[\w.~+/=-]+/gi, 'Bearer ***'],
  [/\b(sk|pk|rk)-[\w-]{8,}/g, '$1-***'],
  // key=value inside text: a query string, a command line, an error message
  [new RegExp(String.raw`\b(${SECRET_NAME})=([^\s&"'\\,;]+)`, 'gi'), '$1=***'],
];

export function scrubLogLine(line: string): string {
  let out = maskSecretValues(line);
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}
