// The checks every hop passes before any connection: URL syntax, scheme, host globs, literal IP address.
import { isIP } from 'node:net';

import { ToolError } from '../tool-error.js';
import { privateAddressError } from './guarded-lookup.js';
import type { HttpConfig } from './http-config.js';

/** Parse the caller's URL: it must be absolute. */
export function parseRequestUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new ToolError(
      'HTTP_URL_INVALID',
      'the url is not a valid absolute URL (e.g. https://example.com/)',
      {
        url: text.slice(0, 2048),
      },
    );
  }
}

function checkScheme(url: URL): void {
  if (url.protocol === 'http:' || url.protocol === 'https:') return;
  throw new ToolError(
    'HTTP_SCHEME_NOT_ALLOWED',
    `scheme "${url.protocol}" is not allowed (only http and https)`,
    {
      scheme: url.protocol.replace(/:$/, ''),
    },
  );
}

function checkHost(url: URL, config: HttpConfig): void {
  const verdict = config.hosts.check(url.hostname);
  if (verdict === 'allowed') return;
  const why = verdict === 'denied' ? 'matches denied_hosts' : 'is not in allowed_hosts';
  throw new ToolError('HTTP_HOST_DENIED', `host ${url.hostname} ${why}`, { host: url.hostname });
}

/**
 * Node connects to an IP-literal host without calling `lookup`, so check it here. The URL parser has
 * already normalized odd spellings (`2130706433`, `0x7f.1`, `[::ffff:7f00:1]`) to what Node connects to.
 */
function checkLiteralAddress(url: URL, config: HttpConfig): void {
  const bare = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) === 0) return; // a DNS name: the guarded lookup checks what it resolves to
  if (!config.addresses.isAllowed(bare)) throw privateAddressError(url.hostname, bare);
}

/** Everything checked before a hop connects; throws the ToolError of the first failed rule. */
export function checkTarget(url: URL, config: HttpConfig): void {
  checkScheme(url);
  checkHost(url, config);
  checkLiteralAddress(url, config);
}
