import type { Request } from 'express';
import { isLoopbackHost } from '../common/net/loopback.js';

const PRM_PATH = '/.well-known/oauth-protected-resource';
const SAFE_HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/** MCP endpoints are their own OAuth protected resources; everything else belongs to the gateway's base URL. */
/** The MCP endpoints, each a resource of its own: `/mcp`, `/federated/mcp`, `/servers/{id}/mcp`. */
const MCP_ENDPOINT = /^\/(?:mcp|federated\/mcp|servers\/[^/]+\/mcp)$/;

export function isMcpEndpoint(path: string): boolean {
  // Express matches routes case-insensitively and ignores a trailing slash, so the check must too (`/MCP/` is `/mcp`).
  // Exactly these paths: a REST route that merely ends in /mcp (`/api/v1/servers/mcp`) is the gateway's, not one.
  return MCP_ENDPOINT.test(path.toLowerCase().replace(/\/+$/, ''));
}

/**
 * Lower-cases scheme and host, drops a trailing slash and treats the loopback names as one host, so a token issued
 * for http://localhost:8000/mcp also matches http://127.0.0.1:8000/mcp on a developer's machine.
 */
export function canonicalUrl(url: string): string {
  let canonical = canonicalUrls.get(url);
  if (canonical === undefined) {
    // Every authenticated request compares its token's audiences with its own URL: parse each distinct URL once.
    if (canonicalUrls.size >= MAX_REMEMBERED_URLS) canonicalUrls.clear();
    canonical = parseCanonical(url);
    canonicalUrls.set(url, canonical);
  }
  return canonical;
}

const MAX_REMEMBERED_URLS = 10_000;
const canonicalUrls = new Map<string, string>();

function parseCanonical(url: string): string {
  try {
    const parsed = new URL(url);
    const host = isLoopbackHost(parsed.hostname) ? 'localhost' : parsed.hostname.toLowerCase();
    const port = parsed.port ? `:${parsed.port}` : '';
    const path = parsed.pathname.replace(/\/+$/, '');
    return `${parsed.protocol.toLowerCase()}//${host}${port}${path}`;
  } catch {
    return url;
  }
}

/**
 * The URLs a request is addressed to, as RFC 9728 and RFC 8707 need them: the gateway's base URL (MREG_PUBLIC_URL
 * behind a proxy, otherwise the scheme and Host the client used), the protected resource it is accessing and the
 * metadata document describing that resource.
 */
export class ResourceUrls {
  constructor(private readonly publicUrl?: string) {}

  baseUrl(req: Request): string {
    if (this.publicUrl) return this.publicUrl;
    const host = req.get('host');
    // The Host header is the client's; anything but a plain host[:port] is not echoed into URLs or challenges.
    return `${req.protocol}://${host && SAFE_HOST.test(host) ? host : 'localhost'}`;
  }

  resourceUrl(req: Request): string {
    return isMcpEndpoint(req.path)
      ? `${this.baseUrl(req)}${req.path.replace(/\/+$/, '')}`
      : this.baseUrl(req);
  }

  metadataUrl(req: Request): string {
    return `${this.baseUrl(req)}${PRM_PATH}${isMcpEndpoint(req.path) ? req.path : ''}`;
  }

  /**
   * Audiences a gateway token may carry to be accepted here. An MCP endpoint accepts only tokens issued for exactly
   * that endpoint (RFC 8707): a token for one resource never works on another. REST routes belong to the gateway
   * itself and accept tokens issued for its base URL.
   */
  acceptedAudiences(req: Request): string[] {
    if (!isMcpEndpoint(req.path)) return [canonicalUrl(this.baseUrl(req))];
    return [canonicalUrl(`${this.baseUrl(req)}${req.path.replace(/\/+$/, '')}`)];
  }
}

export const PROTECTED_RESOURCE_METADATA_PATH = PRM_PATH;
