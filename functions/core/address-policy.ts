import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'loopback' | 'private';

/**
 * Sorts an IP address into what an outbound fetch may reach. Everything that is not plain
 * global unicast counts as private: RFC 1918, link-local (the 169.254.169.254 metadata service),
 * unique-local (fd00:ec2::254), CGNAT, multicast, reserved, unspecified (0.0.0.0 reaches
 * localhost on Linux). IPv4-mapped and NAT64-embedded IPv6 are judged by the IPv4 inside.
 */
export function classifyAddress(address: string): AddressClass {
  if (!ipaddr.isValid(address)) return 'private';
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (v6.range() === 'rfc6052' || v6.range() === 'rfc6145' || v6.range() === '6to4' || v6.range() === 'teredo') return 'private';
  }
  const range = parsed.range();
  if (range === 'loopback') return 'loopback';
  return range === 'unicast' ? 'public' : 'private';
}

export function isReachable(address: string, allowLoopback: boolean): boolean {
  const kind = classifyAddress(address);
  return kind === 'public' || (kind === 'loopback' && allowLoopback);
}
