import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { addressRefusal } from '../common/net/ssrf-guard.js';
import { urlRefused } from './registry.errors.js';

export type ResolveHost = (host: string) => Promise<string[]>;

const resolveWithDns: ResolveHost = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Validates an upstream URL at registration: http(s), a host, no credentials or fragment, and (DNS resolved) no
 * private, loopback, link-local or metadata address unless private upstreams are allowed. The same rule is applied
 * again at connect time by the upstream fetch, against DNS rebinding. Returns the normalised URL.
 */
export async function checkUpstreamUrl(
  raw: string,
  allowPrivate: boolean,
  resolve: ResolveHost = resolveWithDns,
): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw urlRefused(raw, 'is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw urlRefused(raw, 'must use http or https');
  if (!url.hostname) throw urlRefused(raw, 'has no host');
  if (url.username || url.password) throw urlRefused(raw, 'must not carry credentials (use upstreamAuth)');
  if (url.hash) throw urlRefused(raw, 'must not have a fragment');
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host) !== 0) {
    addresses = [host];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      throw urlRefused(raw, `has a host that does not resolve (${host})`);
    }
  }
  for (const address of addresses) {
    const refusal = addressRefusal(address, allowPrivate);
    if (refusal) throw urlRefused(raw, `is refused: ${refusal}`);
  }
  return url.href;
}
