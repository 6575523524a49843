import { createHash } from 'node:crypto';
import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../../common/principal.js';
import type { RegisteredServer } from '../../registry/index.js';
import { EndpointSelector } from '../endpoint-selector.js';
import { UpstreamCaller } from '../upstream-caller.js';
import { UpstreamHeaders } from '../upstream-headers.js';
import { openLegacySseSession } from './legacy-sse-session.js';
import { HttpUpstreamSession, type UpstreamLink, type UpstreamSession } from './upstream-session.js';

const IDLE_MS = 5 * 60_000;

const fingerprints = new WeakMap<RegisteredServer, string>();

/**
 * What an upstream session was opened with: a change to any of it (endpoints, credentials, timeouts, transport,
 * identity headers) needs a new session. Not `updatedAt`, which every health check moves: keying on it opened a new
 * session (and standing stream) per user every check interval. Memoised per cached server object.
 */
export function connectionFingerprint(server: RegisteredServer): string {
  let fingerprint = fingerprints.get(server);
  if (fingerprint === undefined) {
    fingerprint = createHash('sha256')
      .update(
        JSON.stringify([
          server.endpoints.map((endpoint) => endpoint.url),
          server.transport,
          server.upstreamAuth,
          server.timeouts,
          server.identityHeaders,
        ]),
      )
      .digest('base64url');
    fingerprints.set(server, fingerprint);
  }
  return fingerprint;
}

/**
 * Upstream MCP sessions the federated endpoint reuses, one per (server connection settings, user), kept while used and closed
 * after five idle minutes. They live in this process only: another replica simply opens its own, so the federated
 * endpoint itself stays stateless towards clients.
 */
interface Entry {
  connected: Promise<UpstreamSession>;
  /** The latest caller's bearer: on-behalf-of credentials are minted from it per request, so it must stay current. */
  user: { bearer?: string };
  /** Calls in flight: an entry that leaves the cache (idle expiry, eviction) closes when the last one ends. */
  inFlight: number;
  dropped: boolean;
  /** The one close of its session (dispose and shutdown may both ask). */
  closed?: Promise<void>;
}

/** Closes the entry's session, once, whoever asks. */
function closeEntry(entry: Entry): Promise<void> {
  entry.closed ??= entry.connected.then(close, () => undefined);
  return entry.closed;
}

/** Closes a session that left the cache, once nothing runs on it: a call longer than the idle time is not cut. */
function release(entry: Entry): void {
  if (entry.dropped && entry.inFlight === 0) void closeEntry(entry);
}

@Injectable()
export class UpstreamClients implements BeforeApplicationShutdown {
  private readonly clients = new LRUCache<string, Entry>({
    max: 1_000,
    ttl: IDLE_MS,
    updateAgeOnGet: true,
    // Without it, lru-cache drops stale entries only when read: idle sessions (and their streams) would linger.
    ttlAutopurge: true,
    dispose: (entry) => {
      entry.dropped = true;
      release(entry);
    },
  });

  constructor(
    private readonly selector: EndpointSelector,
    private readonly caller: UpstreamCaller,
    private readonly headers: UpstreamHeaders,
  ) {}

  async with<T>(
    principal: Principal,
    server: RegisteredServer,
    work: (session: UpstreamSession) => Promise<T>,
    bearer?: string,
  ): Promise<T> {
    const key = `${server.id}|${connectionFingerprint(server)}|${principal.tenantId}/${principal.oid}`;
    let entry = this.clients.get(key);
    if (entry) {
      entry.user.bearer = bearer;
    } else {
      const user = { bearer };
      entry = { connected: this.connect(principal, server, user), user, inFlight: 0, dropped: false };
      this.clients.set(key, entry);
    }
    const current = entry;
    const forget = () => {
      // Only this entry: a newer session another call opened meanwhile stays.
      if (this.clients.peek(key) === current) this.clients.delete(key);
    };
    current.inFlight += 1;
    try {
      let session: UpstreamSession;
      try {
        session = await current.connected;
      } catch (error) {
        forget();
        throw error;
      }
      try {
        return await work(session);
      } catch (error) {
        // A broken upstream session is not reused; a JSON-RPC error or a slow call says nothing against it.
        if (!isJsonRpcError(error) && !isTimeout(error)) forget();
        throw error;
      }
    } finally {
      current.inFlight -= 1;
      release(current);
    }
  }

  private connect(
    principal: Principal,
    server: RegisteredServer,
    user: { bearer?: string },
  ): Promise<UpstreamSession> {
    const upstreamUser = () => ({ principal, bearer: user.bearer });
    const link: UpstreamLink = {
      caller: this.caller,
      server,
      endpoint: this.selector.endpointFor(server, undefined, principal),
      credentials: () => this.headers.credentialsFor(server, upstreamUser()),
      headers: (protocol, extra) => this.headers.build(server, protocol, extra, upstreamUser()),
    };
    return server.transport === 'sse' ? openLegacySseSession(link) : HttpUpstreamSession.open(link);
  }

  /** Ends the upstream sessions while the connection pool is still open. */
  async beforeApplicationShutdown(): Promise<void> {
    const open = [...this.clients.values()];
    this.clients.clear();
    // At shutdown nothing waits for calls in flight: closing ends them, as the pool is about to.
    await Promise.all(open.map(closeEntry));
  }
}

function close(session: UpstreamSession): Promise<void> {
  return session.close().catch(() => undefined);
}

/** The upstream answered with a JSON-RPC error: the session itself is fine. */
function isJsonRpcError(error: unknown): boolean {
  return typeof (error as { code?: unknown }).code === 'number';
}

function isTimeout(error: unknown): boolean {
  return /time(d)? ?out/i.test(`${String((error as { code?: unknown }).code)} ${(error as Error).message}`);
}
