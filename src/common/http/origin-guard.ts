import type { RequestHandler } from 'express';
import { GatewayException } from '../errors/gateway.exception.js';
import { isLoopbackHost } from '../net/loopback.js';
import { ErrorCode } from '../errors/error-codes.js';

/** The MCP endpoints and the OAuth pages a browser shows: where a hostile page could act with a user's browser. */
const GUARDED_PATH =
  /^\/(?:mcp|federated\/mcp|servers\/[^/]+\/mcp|oauth\/(?:authorize|login|callback|logout))\/?$/i;

export interface OriginPolicy {
  /** MREG_ALLOWED_ORIGINS, as origins (`https://app.example.com`). */
  readonly allowedOrigins: readonly string[];
  /** MREG_PUBLIC_URL: its origin is allowed, and with it set, a browser's request must name its host. */
  readonly publicUrl?: string;
  /** Local identity mode: loopback origins are allowed, and without a public URL only loopback hosts are served. */
  readonly localMode: boolean;
  /** MREG_HOST: a local gateway bound to a loopback address serves loopback Host names only. */
  readonly bindHost: string;
}

/** scheme://host[:port], lower-cased, default ports dropped; undefined when not an http(s) origin. */
export function canonicalOrigin(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin.toLowerCase();
  } catch {
    return undefined;
  }
}

const hostnameOf = (host: string): string => host.replace(/:\d+$/, '').toLowerCase();

/**
 * The MCP transport's MUST (validate Origin, 403 when it is present and not allowed) and the DNS-rebinding defence
 * for a gateway on a developer's machine, on the MCP endpoints and the OAuth pages:
 * - a request with an Origin must come from an allowed one: MREG_ALLOWED_ORIGINS, the public URL's origin, loopback
 *   origins in local mode, or, in Entra mode without a public URL, the gateway's own origin as the request names it;
 * - with a public URL, a browser's request (one with an Origin) must be addressed to its host;
 * - a local-mode gateway bound to loopback without a public URL serves only loopback Host names, since a rebinding
 *   page addresses it by the attacker's name (its dev sign-in lets anyone in as anyone).
 * Requests without an Origin (non-browser clients) pass the Origin rule; probes and the REST API are not affected.
 */
export function originGuard(policy: OriginPolicy): RequestHandler {
  const allowed = new Set(policy.allowedOrigins.map(canonicalOrigin).filter((o): o is string => !!o));
  const publicOrigin = policy.publicUrl ? canonicalOrigin(policy.publicUrl) : undefined;
  if (publicOrigin) allowed.add(publicOrigin);
  const publicHost = publicOrigin ? hostnameOf(new URL(publicOrigin).host) : undefined;
  const loopbackOnly = policy.localMode && !publicOrigin && isLoopbackHost(policy.bindHost.toLowerCase());

  const originAllowed = (origin: string, host: string | undefined): boolean => {
    const canonical = canonicalOrigin(origin);
    if (!canonical) return false;
    if (allowed.has(canonical)) return true;
    const { hostname } = new URL(canonical);
    if (policy.localMode && isLoopbackHost(hostname)) return true;
    // Same origin as the request itself: only trusted where nothing else names the gateway (Entra mode, no public
    // URL); a rebinding page is same-origin with the name it made point here.
    return (
      !policy.localMode &&
      !publicOrigin &&
      host !== undefined &&
      canonical.endsWith(`//${host.toLowerCase()}`)
    );
  };

  return (req, _res, next) => {
    if (!GUARDED_PATH.test(req.path)) {
      next();
      return;
    }
    const origin = req.headers.origin;
    const host = req.headers.host;
    if (origin !== undefined && !originAllowed(origin, host)) {
      next(
        refused(
          `Origin ${origin.slice(0, 200)} is not allowed here; an operator can allow it with MREG_ALLOWED_ORIGINS`,
        ),
      );
      return;
    }
    const hostname = host === undefined ? undefined : hostnameOf(host);
    const wrongPublicHost = publicHost !== undefined && origin !== undefined && hostname !== publicHost;
    const notLoopback = loopbackOnly && (hostname === undefined || !isLoopbackHost(hostname));
    if (wrongPublicHost || notLoopback) {
      next(
        refused(
          `Host ${(host ?? '(none)').slice(0, 200)} is not this gateway's name; use ${publicOrigin ?? 'http://localhost'} (MREG_PUBLIC_URL)`,
        ),
      );
      return;
    }
    next();
  };
}

function refused(message: string): GatewayException {
  return new GatewayException(403, ErrorCode.ORIGIN_NOT_ALLOWED, message);
}
