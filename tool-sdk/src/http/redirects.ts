// Redirect handling: which responses redirect, where to, and how the next request changes.
import type { IncomingMessage } from 'node:http';

import { ToolError } from '../tool-error.js';
import type { HopRequest } from './fetch-limited.js';
import { BODY_HEADERS, CREDENTIAL_HEADERS, withoutHeaders } from './request-headers.js';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The target of a redirect response (relative Location resolved against `current`), or undefined. */
export function redirectTarget(res: IncomingMessage, current: URL): URL | undefined {
  const location = res.headers.location;
  if (!REDIRECT_STATUSES.has(res.statusCode ?? 0) || !location) return undefined;
  try {
    return new URL(location, current);
  } catch {
    throw new ToolError('HTTP_URL_INVALID', `redirect from ${current.host} to an invalid URL`, {
      status: res.statusCode,
      location: location.slice(0, 2048),
    });
  }
}

/** 303 turns anything but HEAD into GET; 301/302 turn anything but GET/HEAD into GET; 307/308 keep it. */
function switchesToGet(status: number, method: string): boolean {
  if (status === 303) return method !== 'HEAD';
  if (status === 301 || status === 302) return method !== 'GET' && method !== 'HEAD';
  return false;
}

/** The request for the next hop after a `status` redirect from `hop` to `target`. */
export function nextHop(hop: HopRequest, status: number, target: URL): HopRequest {
  let headers = { ...hop.headers };
  if (target.origin !== hop.url.origin) headers = withoutHeaders(headers, CREDENTIAL_HEADERS);
  if (!switchesToGet(status, hop.method)) return { url: target, method: hop.method, headers, body: hop.body };
  headers = withoutHeaders(headers, [...BODY_HEADERS, 'content-length']);
  return { url: target, method: 'GET', headers };
}

export function tooManyRedirects(maxRedirects: number, url: URL): ToolError {
  return new ToolError(
    'HTTP_TOO_MANY_REDIRECTS',
    `more than ${maxRedirects} redirects (last from ${url.host})`,
    {
      max_redirects: maxRedirects,
    },
  );
}
