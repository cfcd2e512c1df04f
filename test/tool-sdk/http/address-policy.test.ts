// Address classification: public unicast only by default, operator CIDRs as exceptions.
import { describe, expect, it } from 'vitest';

import { canonicalIp, createAddressPolicy, parseCidr } from '../../../tool-sdk/src/http/address-policy.js';

const byDefault = createAddressPolicy({ allowPrivateNetworks: false, allowedPrivateCidrs: [] });

describe('address policy: defaults', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'this network'],
    ['10.0.0.1', 'RFC 1918'],
    ['172.16.0.1', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.255', 'CGNAT'],
    ['169.254.169.254', 'link-local, cloud metadata'],
    ['192.0.0.170', 'IETF protocol assignments'],
    ['192.0.2.1', 'TEST-NET-1'],
    ['198.18.0.1', 'benchmarking'],
    ['198.51.100.7', 'TEST-NET-2'],
    ['203.0.113.9', 'TEST-NET-3'],
    ['192.88.99.1', '6to4 relay'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback in brackets'],
    ['::127.0.0.1', 'IPv4-compatible'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:7f00:1', 'IPv4-mapped loopback, hex'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'IPv4-mapped metadata'],
    ['::ffff:10.0.0.1', 'IPv4-mapped RFC 1918'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local with zone'],
    ['fc00::1', 'unique-local'],
    ['fd00:ec2::254', 'unique-local, AWS metadata'],
    ['ff02::1', 'multicast'],
    ['64:ff9b::7f00:1', 'NAT64'],
    ['64:ff9b:1::1', 'local NAT64'],
    ['2002:7f00:1::1', '6to4'],
    ['2001::1', 'Teredo'],
    ['2001:db8::1', 'documentation'],
    ['100::1', 'discard'],
    ['not-an-ip', 'not an address'],
    ['', 'empty'],
  ])('refuses %s (%s)', (address) => {
    expect(byDefault.isAllowed(address)).toBe(false);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '::ffff:8.8.8.8',
    '2606:4700:4700::1111',
    '2a00:1450:4001:81c::200e',
    '2001:4860:4860::8888',
  ])('allows the public address %s', (address) => {
    expect(byDefault.isAllowed(address)).toBe(true);
  });

  it('allow_private_networks allows everything', () => {
    const open = createAddressPolicy({ allowPrivateNetworks: true, allowedPrivateCidrs: [] });
    for (const a of ['127.0.0.1', '::1', '169.254.169.254', '10.0.0.1', '8.8.8.8'])
      expect(open.isAllowed(a)).toBe(true);
  });
});

describe('address policy: allowed_private_cidrs', () => {
  const policy = createAddressPolicy({
    allowPrivateNetworks: false,
    allowedPrivateCidrs: ['10.1.2.0/24', 'fd12:3456::/32', '192.168.7.7', '::ffff:172.16.0.0/112'],
  });

  it.each([
    '10.1.2.3',
    '10.1.2.255',
    '::ffff:10.1.2.3',
    'fd12:3456::1',
    '192.168.7.7',
    '172.16.5.5',
    '::ffff:172.16.5.5',
  ])('allows %s inside an allowed range', (address) => {
    expect(policy.isAllowed(address)).toBe(true);
  });

  it.each(['10.1.3.1', '127.0.0.1', 'fd12:3457::1', '192.168.7.8', '172.17.0.1', '::1'])(
    'still refuses %s outside the allowed ranges',
    (address) => {
      expect(policy.isAllowed(address)).toBe(false);
    },
  );

  it.each([
    '10.0.0.0/33',
    '::1/129',
    'abc',
    '10.0.0/8',
    '10.0.0.0/',
    '10.0.0.0/8/8',
    '1.2.3.4.5/32',
    'fe80::1%eth0/64',
    '::ffff:10.0.0.0/64',
    '',
  ])('rejects the malformed entry %j, naming the key', (entry) => {
    expect(() => createAddressPolicy({ allowPrivateNetworks: false, allowedPrivateCidrs: [entry] })).toThrow(
      /allowed_private_cidrs/,
    );
  });

  it('parses IPv4, IPv6, bare and IPv4-mapped entries', () => {
    expect(parseCidr('10.1.2.0/24')).toEqual({ family: 'ipv4', address: '10.1.2.0', prefix: 24 });
    expect(parseCidr('FD00::/8')).toEqual({ family: 'ipv6', address: 'fd00::', prefix: 8 });
    expect(parseCidr('10.0.0.5')).toEqual({ family: 'ipv4', address: '10.0.0.5', prefix: 32 });
    expect(parseCidr('::ffff:10.0.0.0/104')).toEqual({ family: 'ipv4', address: '10.0.0.0', prefix: 8 });
  });
});

describe('canonicalIp', () => {
  it('normalizes IPv6 spellings and unwraps IPv4-mapped addresses', () => {
    expect(canonicalIp('[0:0:0:0:0:0:0:1]')).toEqual({ family: 'ipv6', address: '::1' });
    expect(canonicalIp('::FFFF:127.0.0.1')).toEqual({ family: 'ipv4', address: '127.0.0.1', mapped: true });
    expect(canonicalIp('example.com')).toBeUndefined();
  });
});
