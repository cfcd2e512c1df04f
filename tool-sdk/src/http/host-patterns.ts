// allowed_hosts / denied_hosts: case-insensitive host-name globs where `*` matches any run of characters.

export type HostVerdict = 'allowed' | 'denied' | 'not-allowed';

export interface HostRules {
  /** `hostname` as in `URL.hostname` (IPv6 in brackets or not, any case, trailing dot or not). */
  check(hostname: string): HostVerdict;
}

// Host-name characters and `*`, or an IPv6 literal (two colons at least, so `host:443` is no IPv6).
// Anything else (a scheme, a port, a path, whitespace) can never match a URL's host name.
const HOST_PATTERN = /^[a-z0-9.*_-]+$/;
const IPV6_PATTERN = /^(?=(?:[^:]*:){2})[0-9a-f:.*]+$/;

/** Lower-case, without IPv6 brackets and without trailing dots (`Example.COM.` → `example.com`). */
export function normalizeHostname(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.+$/, '');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Compile one glob; throws a plain Error naming `key` when it cannot match any host name. */
export function compileHostPattern(pattern: string, key: string): RegExp {
  const normalized = normalizeHostname(pattern.trim());
  if (!HOST_PATTERN.test(normalized) && !IPV6_PATTERN.test(normalized)) {
    throw new Error(
      `${key}: "${pattern}" is not a host glob (use a host name such as api.example.com or *.example.com, without scheme, port or path)`,
    );
  }
  const source = normalized.split('*').map(escapeRegExp).join('.*');
  return new RegExp(`^${source}$`);
}

function compileAll(patterns: readonly string[], key: string): RegExp[] {
  return patterns.map((p) => compileHostPattern(p, key));
}

/** The host rules of one tool instance: denied wins over allowed; an empty allow list allows any host. */
export function createHostRules(allowed: readonly string[], denied: readonly string[]): HostRules {
  const allow = compileAll(allowed, 'allowed_hosts');
  const deny = compileAll(denied, 'denied_hosts');
  return {
    check(hostname) {
      const host = normalizeHostname(hostname);
      if (deny.some((re) => re.test(host))) return 'denied';
      if (allow.length > 0 && !allow.some((re) => re.test(host))) return 'not-allowed';
      return 'allowed';
    },
  };
}
