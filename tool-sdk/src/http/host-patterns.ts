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
  const bare = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  // A loop, not /\.+$/: that pattern rescans every run of dots to its end (quadratic in a long name).
  let end = bare.length;
  while (end > 0 && bare.charCodeAt(end - 1) === 0x2e) end--;
  return bare.slice(0, end);
}

/** A compiled glob: `test` takes time linear in the host name's length, whatever it holds. */
export interface HostGlob {
  test(host: string): boolean;
}

/**
 * Match `host` against the glob's literal parts (split at each `*`): the first is a prefix, the last
 * a suffix, the others found in order in between, each at its leftmost place (which is never worse
 * for what follows). A regex `^a.*b.*c$` instead backtracks polynomially on a long host name.
 */
function globMatches(parts: readonly string[], host: string): boolean {
  const first = parts[0]!;
  if (parts.length === 1) return host === first;
  const last = parts[parts.length - 1]!;
  if (host.length < first.length + last.length || !host.startsWith(first) || !host.endsWith(last))
    return false;
  let from = first.length;
  const until = host.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const at = host.indexOf(part, from);
    if (at === -1 || at + part.length > until) return false;
    from = at + part.length;
  }
  return true;
}

/** Compile one glob; throws a plain Error naming `key` when it cannot match any host name. */
export function compileHostPattern(pattern: string, key: string): HostGlob {
  const normalized = normalizeHostname(pattern.trim());
  if (!HOST_PATTERN.test(normalized) && !IPV6_PATTERN.test(normalized)) {
    throw new Error(
      `${key}: "${pattern}" is not a host glob (use a host name such as api.example.com or *.example.com, without scheme, port or path)`,
    );
  }
  const parts = normalized.split('*');
  return { test: (host) => globMatches(parts, host) };
}

function compileAll(patterns: readonly string[], key: string): HostGlob[] {
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
