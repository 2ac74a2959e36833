// Who is on the other end of a request, for the per-address connection limit.
//
// The socket's remote address, unless it is one of the operator's trusted proxies
// (X7_TRUSTED_PROXIES): then X-Forwarded-For is read from the right, each hop
// added by the proxy before it, and the first address that is not a trusted
// proxy is the client. Entries to its left were written by the client itself and
// prove nothing. Without trusted proxies the header is ignored: anyone can send
// one, and believing it would let a client pick a fresh "address" per connection.
import { BlockList, isIP, isIPv6 } from 'node:net';

export class TrustedProxies {
  private readonly list = new BlockList();
  readonly empty: boolean;

  /** `entries`: addresses or CIDR ranges, as config.ts has checked them. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [address = '', prefix] = entry.split('/');
      const type = isIPv6(address) ? 'ipv6' : 'ipv4';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
    this.empty = entries.length === 0;
  }

  has(address: string): boolean {
    return !this.empty && this.list.check(address, isIPv6(address) ? 'ipv6' : 'ipv4');
  }
}

/** The client's address: the socket's, or what trusted proxies say it is. */
export function clientAddress(remoteAddress: string | undefined, forwardedFor: string | string[] | undefined, trusted: TrustedProxies): string {
  let current = normalizeAddress(remoteAddress ?? '') ?? 'unknown';
  if (forwardedFor === undefined || !trusted.has(current)) return current;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',').map((h) => h.trim());
  for (let i = hops.length - 1; i >= 0 && trusted.has(current); i--) {
    const hop = normalizeAddress(hops[i]!);
    // A hop that is not an address: the proxy passed on garbage; count the proxy.
    if (hop === null) break;
    current = hop;
  }
  return current;
}

/**
 * The key an address is counted under. An IPv6 client typically holds a whole
 * /64 and can pick a new address in it per connection, so IPv6 counts by /64.
 */
export function addressKey(address: string): string {
  if (!isIPv6(address)) return address;
  return `${ipv6Groups(address).slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** A bare IP address from a socket or a header entry ("1.2.3.4:5678", "[::1]:80", "::ffff:1.2.3.4"); null when it is none. */
export function normalizeAddress(text: string): string | null {
  let address = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.split('%')[0]!.toLowerCase();
  const mapped = /^::ffff:(\d{1,3}(\.\d{1,3}){3})$/.exec(address);
  if (mapped) address = mapped[1]!;
  return isIP(address) === 0 ? null : address;
}

/** The eight 16-bit groups of an IPv6 address (one that isIPv6 accepts). */
function ipv6Groups(address: string): number[] {
  const toGroups = (part: string): number[] => part === '' ? [] : part.split(':').flatMap((g) => {
    if (!g.includes('.')) return [parseInt(g, 16)];
    const [a, b, c, d] = g.split('.').map(Number) as [number, number, number, number];
    return [(a << 8) | b, (c << 8) | d];
  });
  const [head = '', tail] = address.split('::');
  const left = toGroups(head);
  const right = tail === undefined ? [] : toGroups(tail);
  return [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
}
