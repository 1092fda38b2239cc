import ipaddr from 'ipaddr.js';

export type AddressClass = 'public' | 'loopback' | 'private';

const v4 = (high: number, low: number) => ipaddr.fromByteArray([high >> 8, high & 0xff, low >> 8, low & 0xff]) as ipaddr.IPv4;

/**
 * The IPv4 addresses an IPv6 address carries inside it, in every form a packet can be routed
 * through: IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d, deprecated but still
 * parsed everywhere), IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4
 * (2002:aabb:ccdd::) and Teredo (server, and the client XOR-ed with ones). Undefined when it
 * carries none; an empty list for a form whose embedded address cannot be located (RFC 8215's
 * local-use NAT64 prefix, whose length is the operator's choice).
 */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4[] | undefined {
  const parts = address.parts;
  const zeros = (from: number, to: number) => parts.slice(from, to).every((part) => part === 0);
  const [p0, p1, p2, p3, p4, p5, p6, p7] = parts as [number, number, number, number, number, number, number, number];
  if (zeros(0, 5) && p5 === 0xffff) return [v4(p6, p7)];
  if (zeros(0, 6) && (p6 !== 0 || p7 > 1)) return [v4(p6, p7)];
  if (zeros(0, 4) && p4 === 0xffff && p5 === 0) return [v4(p6, p7)];
  if (p0 === 0x64 && p1 === 0xff9b && zeros(2, 6)) return [v4(p6, p7)];
  if (p0 === 0x64 && p1 === 0xff9b && p2 === 1) return [];
  if (p0 === 0x2002) return [v4(p1, p2)];
  if (p0 === 0x2001 && p1 === 0) return [v4(p2, p3), v4(~p6 & 0xffff, ~p7 & 0xffff)];
  return undefined;
}

function classifyIPv4(address: ipaddr.IPv4): AddressClass {
  const range = address.range();
  if (range === 'loopback') return 'loopback';
  return range === 'unicast' ? 'public' : 'private';
}

const SEVERITY: readonly AddressClass[] = ['public', 'loopback', 'private'];

/**
 * Sorts an IP address into what an outbound fetch may reach. Everything that is not plain
 * global unicast counts as private: RFC 1918, link-local (the 169.254.169.254 metadata service),
 * unique-local (fd00:ec2::254), CGNAT, multicast, reserved, unspecified (0.0.0.0 reaches
 * localhost on Linux). An IPv6 address that embeds IPv4 is judged by what it embeds.
 */
export function classifyAddress(address: string): AddressClass {
  if (!ipaddr.isValid(address)) return 'private';
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return classifyIPv4(parsed as ipaddr.IPv4);
  const v6 = parsed as ipaddr.IPv6;
  const embedded = embeddedIPv4(v6);
  if (embedded) {
    if (embedded.length === 0) return 'private';
    return embedded.map(classifyIPv4).reduce((worst, next) => (SEVERITY.indexOf(next) > SEVERITY.indexOf(worst) ? next : worst));
  }
  const range = v6.range();
  if (range === 'loopback') return 'loopback';
  return range === 'unicast' ? 'public' : 'private';
}
