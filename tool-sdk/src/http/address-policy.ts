// Which IP addresses http_request may connect to: public unicast only, plus operator-allowed CIDRs.
import { BlockList, isIP } from 'node:net';

export type IpFamily = 'ipv4' | 'ipv6';

export interface CanonicalIp {
  readonly family: IpFamily;
  /** Lower-case, compressed IPv6 or dotted-quad IPv4; an IPv4-mapped IPv6 address becomes its IPv4. */
  readonly address: string;
  /** True when `address` came from an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`). */
  readonly mapped?: boolean;
}

export interface AddressPolicy {
  isAllowed(ip: string): boolean;
}

export interface AddressPolicyOptions {
  readonly allowPrivateNetworks: boolean;
  readonly allowedPrivateCidrs: readonly string[];
}

interface Cidr {
  readonly family: IpFamily;
  readonly address: string;
  readonly prefix: number;
}

// IANA special-purpose IPv4 ranges that are not public unicast (RFC 6890 and successors).
const NON_PUBLIC_IPV4 = [
  '0.0.0.0/8', // "this network", unspecified
  '10.0.0.0/8', // RFC 1918
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8', // loopback
  '169.254.0.0/16', // link-local, cloud metadata 169.254.169.254
  '172.16.0.0/12', // RFC 1918
  '192.0.0.0/24', // IETF protocol assignments
  '192.0.2.0/24', // TEST-NET-1
  '192.88.99.0/24', // 6to4 relay anycast (deprecated)
  '192.168.0.0/16', // RFC 1918
  '198.18.0.0/15', // benchmarking
  '198.51.100.0/24', // TEST-NET-2
  '203.0.113.0/24', // TEST-NET-3
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, incl. broadcast 255.255.255.255
];

// IPv6 is checked by allow-list: only global unicast 2000::/3 can be public. That alone excludes
// ::/128, ::1, IPv4-compatible ::/96, NAT64 64:ff9b::/96 and 64:ff9b:1::/48, discard 100::/64,
// unique-local fc00::/7 (incl. fd00:ec2::254), link-local fe80::/10 and multicast ff00::/8.
const GLOBAL_UNICAST_IPV6 = ['2000::/3'];
const NON_PUBLIC_IPV6 = [
  '2001::/23', // IETF protocol assignments, incl. Teredo 2001::/32 and benchmarking 2001:2::/48
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4 (embeds an IPv4 address we would otherwise have to check)
  '3fff::/20', // documentation (RFC 9637)
];

const MAPPED_IPV4 = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

function ipv4FromHexPair(high: string, low: string): string {
  const h = parseInt(high, 16);
  const l = parseInt(low, 16);
  return [h >> 8, h & 0xff, l >> 8, l & 0xff].join('.');
}

/**
 * `fe80::1%eth0` without its `%zone` (a cut at the first `%`, not /%.*$/, which rescans the rest of
 * the text from every `%`). A text holding a line break is left whole: it is no address either way.
 */
function withoutZoneId(address: string): string {
  const zone = address.indexOf('%');
  return zone === -1 || /[\n\r\u2028\u2029]/.test(address) ? address : address.slice(0, zone);
}

/**
 * The canonical form of an IP address string (brackets and an IPv6 zone id are ignored), or
 * undefined when it is not an IP address. The WHATWG URL serializer does the normalizing.
 */
export function canonicalIp(raw: string): CanonicalIp | undefined {
  const bare = withoutZoneId(raw.replace(/^\[(.*)\]$/, '$1'));
  const kind = isIP(bare);
  if (kind === 4) return { family: 'ipv4', address: bare };
  if (kind !== 6) return undefined;
  let address: string;
  try {
    address = new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const mapped = MAPPED_IPV4.exec(address);
  if (mapped) return { family: 'ipv4', address: ipv4FromHexPair(mapped[1]!, mapped[2]!), mapped: true };
  return { family: 'ipv6', address };
}

/**
 * Parse `a.b.c.d/n`, `x:y::z/n`, or a bare address (one host); throws a plain Error. An IPv4-mapped
 * range (`::ffff:10.0.0.0/104`) becomes the IPv4 range it maps, as mapped addresses are judged as IPv4.
 */
export function parseCidr(text: string): Cidr {
  const match = /^([^/%]+?)(?:\/(\d{1,3}))?$/.exec(text.trim());
  const ip = match ? canonicalIp(match[1]!) : undefined;
  if (!match || !ip) throw new Error(`"${text}" is not a CIDR such as 10.1.2.0/24 or fd00::/8`);
  const max = ip.family === 'ipv4' && !ip.mapped ? 32 : 128;
  const prefix = match[2] === undefined ? max : Number(match[2]);
  if (prefix > max) throw new Error(`"${text}": prefix length must be 0-${max}`);
  if (!ip.mapped) return { family: ip.family, address: ip.address, prefix };
  if (prefix < 96) throw new Error(`"${text}": an IPv4-mapped range needs a prefix length of 96-128`);
  return { family: 'ipv4', address: ip.address, prefix: prefix - 96 };
}

function blockList(family: IpFamily, cidrs: readonly Cidr[]): BlockList {
  const list = new BlockList();
  for (const c of cidrs) if (c.family === family) list.addSubnet(c.address, c.prefix, family);
  return list;
}

const parseAll = (cidrs: readonly string[]): Cidr[] => cidrs.map(parseCidr);

// BlockList matches IPv4 rules against IPv4-mapped IPv6 addresses and vice versa, so each list holds
// one family's rules and is only ever checked with an address of that family.
const nonPublicV4 = blockList('ipv4', parseAll(NON_PUBLIC_IPV4));
const globalV6 = blockList('ipv6', parseAll(GLOBAL_UNICAST_IPV6));
const nonPublicV6 = blockList('ipv6', parseAll(NON_PUBLIC_IPV6));

/** True for a public unicast address (IPv4-mapped addresses are judged by their IPv4). */
export function isPublicAddress(ip: CanonicalIp): boolean {
  if (ip.family === 'ipv4') return !nonPublicV4.check(ip.address, 'ipv4');
  return globalV6.check(ip.address, 'ipv6') && !nonPublicV6.check(ip.address, 'ipv6');
}

/** The policy for one tool instance; throws a plain Error naming the bad allowed_private_cidrs entry. */
export function createAddressPolicy(options: AddressPolicyOptions): AddressPolicy {
  const cidrs = options.allowedPrivateCidrs.map((entry) => {
    try {
      return parseCidr(entry);
    } catch (err) {
      throw new Error(`allowed_private_cidrs: ${(err as Error).message}`);
    }
  });
  const allowedV4 = blockList('ipv4', cidrs);
  const allowedV6 = blockList('ipv6', cidrs);
  const isException = (ip: CanonicalIp): boolean =>
    ip.family === 'ipv4' ? allowedV4.check(ip.address, 'ipv4') : allowedV6.check(ip.address, 'ipv6');
  return {
    isAllowed(raw) {
      const ip = canonicalIp(raw);
      if (!ip) return false;
      return options.allowPrivateNetworks || isPublicAddress(ip) || isException(ip);
    },
  };
}
