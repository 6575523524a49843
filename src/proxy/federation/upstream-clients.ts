import { Client } from '@modelcontextprotocol/client';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../../auth/principal.js';
import type { RegisteredServer } from '../../registry/registry.types.js';
import { GATEWAY_VERSION } from '../../version.js';
import { EndpointSelector } from '../endpoint-selector.js';
import { sdkTransportFor } from '../sdk-transport.js';
import { UpstreamCaller } from '../upstream-caller.js';
import { UpstreamHeaders } from '../upstream-headers.js';

interface Connected {
  client: Client;
  transport: ReturnType<typeof sdkTransportFor>;
}

const IDLE_MS = 5 * 60_000;

/**
 * Upstream MCP sessions the federated endpoint reuses, one per (server version, user), kept while used and closed
 * after five idle minutes. They live in this process only: another replica simply opens its own, so the federated
 * endpoint itself stays stateless towards clients.
 */
@Injectable()
export class UpstreamClients implements BeforeApplicationShutdown {
  private readonly clients = new LRUCache<string, Promise<Connected>>({
    max: 1_000,
    ttl: IDLE_MS,
    updateAgeOnGet: true,
    dispose: (connected) => void connected.then(close, () => undefined),
  });

  constructor(
    private readonly selector: EndpointSelector,
    private readonly caller: UpstreamCaller,
    private readonly headers: UpstreamHeaders,
  ) {}

  async with<T>(
    principal: Principal,
    server: RegisteredServer,
    work: (client: Client) => Promise<T>,
    bearer?: string,
  ): Promise<T> {
    const key = `${server.id}|${server.updatedAt.getTime()}|${principal.tenantId}/${principal.oid}`;
    let connected = this.clients.get(key);
    if (!connected) {
      connected = this.connect(principal, server, bearer);
      this.clients.set(key, connected);
    }
    try {
      return await work((await connected).client);
    } catch (error) {
      // A broken upstream session is not reused; the next call opens a fresh one.
      if (!isJsonRpcError(error)) this.clients.delete(key);
      throw error;
    }
  }

  private async connect(principal: Principal, server: RegisteredServer, bearer?: string): Promise<Connected> {
    const endpoint = this.selector.endpointFor(server, undefined, principal);
    const longest = Math.max(server.timeouts.requestMs, ...Object.values(server.timeouts.tools));
    const transport = sdkTransportFor(this.caller, server, endpoint, longest, () =>
      this.headers.credentialsFor(server, { principal, bearer }),
    );
    const client = new Client(
      { name: 'mcp-registry-gateway', version: GATEWAY_VERSION },
      { capabilities: {} },
    );
    await client.connect(transport, { timeout: server.timeouts.requestMs });
    return { client, transport };
  }

  /** Ends the upstream sessions while the connection pool is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    const open = [...this.clients.values()];
    this.clients.clear();
    await Promise.allSettled(open.map((connected) => connected.then(close)));
  }
}

async function close(connected: Connected): Promise<void> {
  await connected.transport.terminateSession?.().catch(() => undefined);
  await connected.client.close().catch(() => undefined);
}

/** The upstream answered with a JSON-RPC error: the session itself is fine. */
function isJsonRpcError(error: unknown): boolean {
  return typeof (error as { code?: unknown }).code === 'number';
}
