// The headers http_request sends: the caller's, minus the ones the tool must control, plus defaults.
import { validateHeaderName, validateHeaderValue } from 'node:http';

import { ToolError } from '../tool-error.js';

export const USER_AGENT = 'agent2389-http_request';

// Host comes from the URL (the socket goes to the checked address anyway); hop-by-hop and framing
// headers are Node's job; Accept-Encoding is ours: we ask for identity so the size cap counts real bytes.
const CONTROLLED = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'content-length',
  'accept-encoding',
]);

/** Headers that carry credentials: dropped when a redirect leaves the origin. */
export const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'] as const;

/** Headers that describe the body: dropped when a redirect turns the request into a GET. */
export const BODY_HEADERS = [
  'content-type',
  'content-encoding',
  'content-language',
  'content-location',
] as const;

function checkHeader(name: string, value: string): void {
  try {
    validateHeaderName(name);
    validateHeaderValue(name, value);
  } catch {
    throw new ToolError('HTTP_REQUEST_FAILED', `invalid request header "${name}"`, {
      reason: 'invalid header',
      header: name,
    });
  }
}

/** Lower-case the caller's headers, validate them, drop the controlled ones and add the defaults. */
export function buildRequestHeaders(
  caller: Readonly<Record<string, string>> | undefined,
  body: Buffer | undefined,
): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': USER_AGENT };
  for (const [rawName, value] of Object.entries(caller ?? {})) {
    checkHeader(rawName, value);
    const name = rawName.toLowerCase();
    if (!CONTROLLED.has(name)) headers[name] = value;
  }
  headers['accept-encoding'] = 'identity';
  if (body !== undefined) headers['content-length'] = String(body.length);
  return headers;
}

/** A copy of `headers` without `names`. */
export function withoutHeaders(
  headers: Readonly<Record<string, string>>,
  names: readonly string[],
): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}
