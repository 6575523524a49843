import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses an outbound request made on a user's say-so must not reach unless explicitly allowed
 * (MREG_ALLOW_PRIVATE_UPSTREAMS): loopback, private, link-local (cloud metadata), CGNAT, multicast, reserved.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  // NAT64 (64:ff9b::/96) and the other forms that carry an IPv4 address are checked as that address (normalise).
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

/**
 * Never reachable, whatever MREG_ALLOW_PRIVATE_UPSTREAMS says: link-local ranges, where cloud metadata services
 * (169.254.169.254, fd00:ec2::254) hand out instance credentials, and Alibaba's metadata address.
 */
const alwaysBlocked = new BlockList();
alwaysBlocked.addSubnet('169.254.0.0', 16, 'ipv4');
alwaysBlocked.addAddress('100.100.100.200', 'ipv4');
alwaysBlocked.addSubnet('fe80::', 10, 'ipv6');
alwaysBlocked.addAddress('fd00:ec2::254', 'ipv6');

function normalise(address: string): { address: string; family: 'ipv4' | 'ipv6' } | undefined {
  const family = isIP(address);
  if (family === 0) return undefined;
  if (family === 4) return { address, family: 'ipv4' };
  const embedded = embeddedIpv4(address);
  return embedded ? { address: embedded, family: 'ipv4' } : { address, family: 'ipv6' };
}

/** The 16 bytes of an IPv6 address (already known valid), `::` and a trailing dotted quad included. */
function ipv6Bytes(address: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  const text = dotted
    ? `${address.slice(0, dotted.index)}${((+dotted[1] << 8) | +dotted[2]).toString(16)}:${((+dotted[3] << 8) | +dotted[4]).toString(16)}`
    : address;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (part: string | undefined) =>
    part ? part.split(':').map((group) => parseInt(group, 16)) : [];
  const front = groups(head);
  const back = groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

/**
 * The IPv4 address an IPv6 address carries, for the forms that reach it: IPv4-mapped (::ffff:0:0/96),
 * IPv4-compatible (::/96), SIIT IPv4-translated (::ffff:0:0:0/96), NAT64 (64:ff9b::/96, 64:ff9b:1::/48) and 6to4
 * (2002::/16). Each is checked as the IPv4 address it leads to: `[::ffff:7f00:1]` is loopback, `[2002:a9fe:a9fe::]`
 * the metadata service.
 */
function embeddedIpv4(address: string): string | undefined {
  const bytes = ipv6Bytes(address.toLowerCase());
  const zero = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  const quad = (at: number) => bytes.slice(at, at + 4).join('.');
  const word = (at: number) => (bytes[at] << 8) | bytes[at + 1];
  if (zero(0, 10) && word(10) === 0xffff) return quad(12);
  // ::/96 without :: and ::1 themselves (blocked as IPv6), which are not IPv4 addresses in disguise.
  if (zero(0, 12) && !(zero(12, 15) && bytes[15] <= 1)) return quad(12);
  if (zero(0, 8) && word(8) === 0xffff && word(10) === 0) return quad(12);
  if (word(0) === 0x64 && word(2) === 0xff9b && (zero(4, 12) || word(4) === 1)) return quad(12);
  if (word(0) === 0x2002) return quad(2);
  return undefined;
}

/** Whether an outbound connection to `address` is refused, given the private-upstreams setting. */
export function isRefusedAddress(address: string, allowPrivate: boolean): boolean {
  const ip = normalise(address);
  if (!ip) return true;
  if (alwaysBlocked.check(ip.address, ip.family)) return true;
  return !allowPrivate && blocked.check(ip.address, ip.family);
}

/** Why an address is refused, naming the setting when there is one; undefined when it is allowed. */
export function addressRefusal(address: string, allowPrivate: boolean): string | undefined {
  const ip = normalise(address);
  if (!ip) return `${address} is not an IP address`;
  if (alwaysBlocked.check(ip.address, ip.family)) {
    return `${address} is a link-local or cloud metadata address, which is never allowed`;
  }
  if (!allowPrivate && blocked.check(ip.address, ip.family)) {
    return `${address} is a private or loopback address; an operator can allow those with MREG_ALLOW_PRIVATE_UPSTREAMS=true`;
  }
  return undefined;
}

/**
 * Checks a URL's host before connecting. Names are checked again at connect time by `guardedLookup`; an IP literal
 * (including the decimal and mapped forms the URL parser normalises) never goes through a lookup, so it is checked here.
 */
export function hostProblem(url: URL, allowPrivate: boolean): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return isIP(host) !== 0 ? addressRefusal(host, allowPrivate) : undefined;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A `dns.lookup` replacement for the socket connect step: it refuses private addresses at the moment of
 * connecting, so a name that resolves to a public address when checked and a private one when used (DNS rebinding)
 * cannot slip through.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses;
      const refusal = list
        .map((entry) => addressRefusal(entry.address, allowPrivate))
        .find((reason) => reason !== undefined);
      if (refusal) {
        const blockedError = Object.assign(
          new Error(`${hostname} resolves to an address that is refused: ${refusal}`),
          {
            code: 'EPRIVATEADDRESS',
          },
        );
        return callback(blockedError, []);
      }
      if ((options as { all?: boolean }).all) return callback(null, list);
      return callback(null, list[0]?.address ?? '', list[0]?.family);
    });
  };
}
