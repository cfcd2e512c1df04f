// A URL-policy table (http_request's config, a script tool's [tools.x.fetch]) turned into ready-to-use policies.
import type { LookupFunction } from 'node:net';

import { createAddressPolicy, type AddressPolicy } from './address-policy.js';
import { createGuardedLookup, type Resolver } from './guarded-lookup.js';
import { createHostRules, type HostRules } from './host-patterns.js';

export interface HttpConfig {
  readonly maxResponseSize: number;
  readonly timeoutSeconds: number;
  readonly maxRedirects: number;
  readonly hosts: HostRules;
  readonly addresses: AddressPolicy;
  readonly lookup: LookupFunction;
}

export const HTTP_CONFIG_DEFAULTS = {
  max_response_size: 1_048_576,
  timeout_seconds: 30,
  max_redirects: 5,
} as const;

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Build the policies from the config table; throws a plain Error naming the key for what JSON Schema
 * cannot check (a malformed CIDR, a host glob that can never match). Missing keys take the defaults.
 */
export function parseHttpConfig(raw: Readonly<Record<string, unknown>>, resolve?: Resolver): HttpConfig {
  const addresses = createAddressPolicy({
    allowPrivateNetworks: raw.allow_private_networks === true,
    allowedPrivateCidrs: stringsOf(raw.allowed_private_cidrs),
  });
  return {
    maxResponseSize: Math.max(
      1,
      Math.floor(numberOr(raw.max_response_size, HTTP_CONFIG_DEFAULTS.max_response_size)),
    ),
    timeoutSeconds:
      numberOr(raw.timeout_seconds, HTTP_CONFIG_DEFAULTS.timeout_seconds) ||
      HTTP_CONFIG_DEFAULTS.timeout_seconds,
    maxRedirects: Math.floor(numberOr(raw.max_redirects, HTTP_CONFIG_DEFAULTS.max_redirects)),
    hosts: createHostRules(stringsOf(raw.allowed_hosts), stringsOf(raw.denied_hosts)),
    addresses,
    lookup: createGuardedLookup(addresses, resolve),
  };
}
