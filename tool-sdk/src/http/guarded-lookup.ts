// A `lookup` for node:http/https that resolves a host name and refuses addresses the policy forbids.
import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

import { ToolError } from '../tool-error.js';
import type { AddressPolicy } from './address-policy.js';

/** Resolves every address of a host name (injectable for tests). */
export type Resolver = (hostname: string, options: LookupOptions) => Promise<LookupAddress[]>;

export const systemResolver: Resolver = (hostname, options) =>
  dns.lookup(hostname, { family: options.family ?? 0, hints: options.hints ?? 0, all: true });

/** The error for a host that is, or resolves to, an address the policy forbids. */
export function privateAddressError(hostname: string, address: string): ToolError {
  const literal = hostname.replace(/^\[(.*)\]$/, '$1') === address;
  const what = literal ? address : `${hostname} resolves to ${address}, which`;
  return new ToolError(
    'HTTP_PRIVATE_ADDRESS',
    `${what} is a private or reserved address that this agent may not reach`,
    { host: hostname, address },
  );
}

function dnsFailure(hostname: string, err: unknown): ToolError {
  const code = (err as { code?: unknown } | undefined)?.code;
  const reason = typeof code === 'string' ? code : 'no answer';
  return new ToolError('HTTP_REQUEST_FAILED', `cannot resolve ${hostname} (${reason})`, {
    host: hostname,
    reason,
  });
}

/** Resolve `hostname` and check every address; rejects with a ToolError. */
export async function resolveChecked(
  hostname: string,
  options: LookupOptions,
  policy: AddressPolicy,
  resolve: Resolver,
): Promise<LookupAddress[]> {
  let addresses: LookupAddress[];
  try {
    addresses = await resolve(hostname, options);
  } catch (err) {
    throw dnsFailure(hostname, err);
  }
  if (addresses.length === 0) throw dnsFailure(hostname, undefined);
  // Refuse when ANY address is forbidden rather than connecting to the allowed ones only: a host
  // that mixes public and private answers is suspicious (rebinding, split-horizon), and the rule
  // is easier to reason about when one host name is either allowed or not.
  const forbidden = addresses.find((a) => !policy.isAllowed(a.address));
  if (forbidden) throw privateAddressError(hostname, forbidden.address);
  return addresses;
}

/**
 * The `lookup` option for http.request: the socket connects to exactly the addresses checked here,
 * so a DNS answer that changes between check and connect (rebinding) cannot slip through. Node
 * calls it with `all: true` when it tries several addresses (autoSelectFamily), else wants one.
 */
export function createGuardedLookup(
  policy: AddressPolicy,
  resolve: Resolver = systemResolver,
): LookupFunction {
  return (hostname, options, callback) => {
    void resolveChecked(hostname, options, policy, resolve).then(
      (addresses) => {
        if (options.all) return callback(null, addresses);
        const first = addresses[0]!;
        return callback(null, first.address, first.family);
      },
      (err: ToolError) => callback(err, ''),
    );
  };
}
