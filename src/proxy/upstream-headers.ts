import { Injectable } from '@nestjs/common';
import { CapabilityDiscovery } from '../registry/discovery/capability-discovery.js';
import type { RegisteredServer } from '../registry/registry.types.js';
import { UpstreamCredentials, UserCredentialsRequired } from '../registry/upstream-credentials.js';
import { GATEWAY_VERSION } from '../version.js';
import { ProxyError, ProxyErrorCode } from './proxy.errors.js';

/** Headers of a request towards an upstream: protocol headers the client sent, and the upstream's credentials. */
@Injectable()
export class UpstreamHeaders {
  constructor(
    private readonly credentials: UpstreamCredentials,
    private readonly discovery: CapabilityDiscovery,
  ) {}

  async build(
    server: RegisteredServer,
    protocol: { accept?: string; protocolVersion?: string; upstreamSessionId?: string },
    extra: Record<string, string> = {},
  ): Promise<Record<string, string>> {
    return {
      accept: protocol.accept ?? 'application/json, text/event-stream',
      'user-agent': `mcp-registry-gateway/${GATEWAY_VERSION}`,
      ...(protocol.protocolVersion ? { 'mcp-protocol-version': protocol.protocolVersion } : {}),
      ...(protocol.upstreamSessionId ? { 'mcp-session-id': protocol.upstreamSessionId } : {}),
      ...extra,
      // Last, so nothing above can replace them; the caller's own Authorization header is never forwarded.
      ...(await this.credentialsFor(server)),
    };
  }

  async credentialsFor(server: RegisteredServer): Promise<Record<string, string>> {
    try {
      return await this.credentials.serviceHeaders(server.upstreamAuth, server.id, this.discovery.upstream);
    } catch (error) {
      const reason =
        error instanceof UserCredentialsRequired
          ? 'on-behalf-of upstream auth is not supported by the proxy yet'
          : (error as Error).message;
      throw new ProxyError(502, ProxyErrorCode.UPSTREAM_AUTH_FAILED, `No upstream credentials: ${reason}`);
    }
  }
}
