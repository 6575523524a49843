import { isLoopbackHost } from '../../common/net/loopback.js';
const FORBIDDEN_SCHEMES = new Set([
  'javascript:',
  'data:',
  'file:',
  'vbscript:',
  'blob:',
  'about:',
  'ftp:',
  'ws:',
  'wss:',
]);
/** Private-use URI schemes of native apps must be reverse-DNS (RFC 8252 §7.1), e.g. `com.example.app:/cb`. */
const PRIVATE_USE_SCHEME = /^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+:$/;
export const MAX_REDIRECT_URI_LENGTH = 2000;

export type ApplicationType = 'native' | 'web';

/** Why a redirect URI cannot be registered, or undefined when it can. */
export function redirectUriProblem(uri: string, applicationType: ApplicationType): string | undefined {
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return 'is too long';
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return 'is not an absolute URI';
  }
  if (parsed.hash) return 'must not contain a fragment';
  if (parsed.username || parsed.password) return 'must not contain credentials';
  if (FORBIDDEN_SCHEMES.has(parsed.protocol)) return `uses the forbidden scheme ${parsed.protocol}`;
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:') {
    // Plain http only to this machine (RFC 8252 §7.3); web clients on the network need https.
    return isLoopbackHost(parsed.hostname) ? undefined : 'must use https unless it is a loopback address';
  }
  if (applicationType === 'native' && PRIVATE_USE_SCHEME.test(parsed.protocol)) return undefined;
  return applicationType === 'web'
    ? 'must use https (or http on a loopback address)'
    : 'must use https, http on a loopback address, or a reverse-DNS private-use scheme';
}

/**
 * Exact match against a registered redirect URI, except that a loopback redirect may use any port (RFC 8252 §7.3):
 * native apps listen on an ephemeral port chosen at run time.
 */
export function redirectUriMatches(registered: readonly string[], presented: string): boolean {
  if (registered.includes(presented)) return true;
  let asked: URL;
  try {
    asked = new URL(presented);
  } catch {
    return false;
  }
  if (asked.protocol !== 'http:' || !isLoopbackHost(asked.hostname)) return false;
  return registered.some((candidate) => {
    try {
      const known = new URL(candidate);
      return (
        known.protocol === 'http:' &&
        known.hostname === asked.hostname &&
        known.pathname === asked.pathname &&
        known.search === asked.search
      );
    } catch {
      return false;
    }
  });
}
