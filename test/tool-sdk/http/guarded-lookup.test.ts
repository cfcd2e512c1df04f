// The guarded lookup: every DNS answer is checked, on every call, before Node may connect to it.
import type { LookupAddress, LookupOptions } from 'node:dns';

import { describe, expect, it } from 'vitest';

import { ToolError } from '@agent2389/tool-sdk';
import { createAddressPolicy } from '../../../tool-sdk/src/http/address-policy.js';
import { createGuardedLookup, type Resolver } from '../../../tool-sdk/src/http/guarded-lookup.js';

const PUBLIC = { address: '93.184.216.34', family: 4 };
const LOOPBACK = { address: '127.0.0.1', family: 4 };

const defaultPolicy = createAddressPolicy({ allowPrivateNetworks: false, allowedPrivateCidrs: [] });

interface LookupOutcome {
  readonly err: NodeJS.ErrnoException | null;
  readonly address: string | LookupAddress[];
  readonly family?: number;
}

function lookupOnce(resolve: Resolver, hostname: string, options: LookupOptions): Promise<LookupOutcome> {
  const lookup = createGuardedLookup(defaultPolicy, resolve);
  return new Promise((done) =>
    lookup(hostname, options, (err, address, family) => done({ err, address, family })),
  );
}

/** A resolver that answers with the next entry of `answers` on each call (a rebinding DNS server). */
function sequence(...answers: LookupAddress[][]): Resolver & { calls: number } {
  const resolver = Object.assign(
    () => {
      const answer = answers[Math.min(resolver.calls, answers.length - 1)] ?? [];
      resolver.calls++;
      return Promise.resolve(answer);
    },
    { calls: 0 },
  );
  return resolver;
}

describe('guarded lookup', () => {
  it('passes a public answer on, as one address or all of them', async () => {
    const resolve = sequence([PUBLIC]);
    expect(await lookupOnce(resolve, 'example.test', {})).toEqual({
      err: null,
      address: PUBLIC.address,
      family: 4,
    });
    expect(await lookupOnce(resolve, 'example.test', { all: true })).toEqual({
      err: null,
      address: [PUBLIC],
      family: undefined,
    });
  });

  it('DNS rebinding: a public first answer and a loopback second answer → the second call is refused', async () => {
    const resolve = sequence([PUBLIC], [LOOPBACK]);
    const lookup = createGuardedLookup(defaultPolicy, resolve);
    const call = () =>
      new Promise<LookupOutcome>((done) =>
        lookup('rebind.test', { all: true }, (err, address, family) => done({ err, address, family })),
      );
    expect((await call()).err).toBeNull();
    const second = await call();
    expect(ToolError.is(second.err, 'HTTP_PRIVATE_ADDRESS')).toBe(true);
    expect(resolve.calls).toBe(2);
  });

  it('an answer with a public and a private address is refused as a whole', async () => {
    for (const all of [true, false]) {
      const { err } = await lookupOnce(sequence([PUBLIC, LOOPBACK]), 'mixed.test', { all });
      expect(ToolError.is(err, 'HTTP_PRIVATE_ADDRESS')).toBe(true);
      expect((err as ToolError).data).toMatchObject({ host: 'mixed.test', address: '127.0.0.1' });
    }
  });

  it.each(['::1', '::ffff:127.0.0.1', '169.254.169.254', 'fd00:ec2::254', '10.1.2.3', 'fe80::1%eth0'])(
    'refuses an answer of %s',
    async (address) => {
      const { err } = await lookupOnce(
        sequence([{ address, family: address.includes(':') ? 6 : 4 }]),
        'h.test',
        {},
      );
      expect(ToolError.is(err, 'HTTP_PRIVATE_ADDRESS')).toBe(true);
    },
  );

  it('a resolver failure or an empty answer is HTTP_REQUEST_FAILED', async () => {
    const failing: Resolver = () => Promise.reject(Object.assign(new Error('nope'), { code: 'EAI_AGAIN' }));
    const failed = await lookupOnce(failing, 'down.test', {});
    expect(ToolError.is(failed.err, 'HTTP_REQUEST_FAILED')).toBe(true);
    expect((failed.err as ToolError).data.reason).toBe('EAI_AGAIN');
    const empty = await lookupOnce(sequence([]), 'empty.test', {});
    expect(ToolError.is(empty.err, 'HTTP_REQUEST_FAILED')).toBe(true);
  });

  it('passes the family and hints Node asks for to the resolver', async () => {
    const seen: LookupOptions[] = [];
    const resolve: Resolver = (_host, options) => {
      seen.push(options);
      return Promise.resolve([PUBLIC]);
    };
    await lookupOnce(resolve, 'example.test', { family: 4, hints: 32 });
    expect(seen[0]).toMatchObject({ family: 4, hints: 32 });
  });
});
