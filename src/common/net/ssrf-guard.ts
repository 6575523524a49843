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
  ['64:ff9b::', 96],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return blocked.check(address, 'ipv4');
}

/**
 * Checks a URL's host before connecting. Names are checked again at connect time by `guardedLookup`; an IP literal
 * (including the decimal and mapped forms the URL parser normalises) never goes through a lookup, so it is checked here.
 */
export function hostProblem(url: URL, allowPrivate: boolean): string | undefined {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0 && !allowPrivate && isPrivateAddress(host)) return 'points to a private address';
  return undefined;
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
      const refused = allowPrivate ? undefined : list.find((entry) => isPrivateAddress(entry.address));
      if (refused) {
        const blockedError = Object.assign(
          new Error(`${hostname} resolves to a private address (${refused.address})`),
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
