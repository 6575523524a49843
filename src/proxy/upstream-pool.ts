import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, type Dispatcher, Pool } from 'undici';
import { guardedLookup, hostProblem } from '../common/net/ssrf-guard.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProxyError } from './proxy.errors.js';
import { SlotCounts } from '../common/slot-counts.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const CLOSE_GRACE_MS = 1_000;
/** When a client refused for a full stream ceiling should try again: streams end when their users leave. */
const BUSY_RETRY_AFTER_SECONDS = 5;

export interface UpstreamRequest {
  url: string;
  method: 'GET' | 'POST' | 'DELETE';
  headers: Record<string, string>;
  body?: string;
  signal: AbortSignal;
  /** Time allowed until the response headers arrive. */
  headersTimeoutMs: number;
  /** Longest silence between two body chunks (0: none, for long-lived streams). */
  bodyTimeoutMs: number;
}

/**
 * Keep-alive connection pools to every upstream (undici keeps one pool per origin), with the SSRF guard applied at
 * connect time, so a name that resolves to a forbidden address is refused even if DNS changed since registration.
 *
 * Two agents, because a listening stream (GET) holds its connection for as long as the client stays: sharing one pool
 * let 256 idle sessions take every connection of an upstream and leave every request after them waiting forever.
 * Requests (POST, DELETE) use a pool of MREG_PROXY_UPSTREAM_CONNECTIONS per origin and wait for a free connection at
 * most until their deadline; streams get connections of their own, up to MREG_PROXY_UPSTREAM_MAX_STREAMS per origin,
 * reserved before they are opened so that past the ceiling a caller hears UPSTREAM_BUSY at once instead of queueing.
 */
@Injectable()
export class UpstreamPool implements OnApplicationShutdown {
  private readonly exchanges: Agent;
  private readonly streams: Agent;
  /**
   * The agents' pools per origin, kept here to read their usage. undici 6 keeps them for the agent's life too (and
   * origins are bounded by the registry); a later undici that drops idle pools would need this list pruned.
   */
  private readonly pools: Pool[] = [];
  /** Listening streams reserved per origin, and per origin and tenant (`origin|tenant`). */
  private readonly openStreams = new SlotCounts();

  /** The largest upstream JSON answer, or SSE event, read for a caller (MREG_PROXY_MAX_EVENT_BYTES). */
  get maxResponseBytes(): number {
    return this.config.proxy.maxEventBytes;
  }

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.exchanges = this.agent(config.proxy.upstreamConnections);
    this.streams = this.agent(config.proxy.upstreamMaxStreams);
  }

  private agent(connections: number): Agent {
    return new Agent({
      connect: { lookup: guardedLookup(this.config.allowPrivateUpstreams), timeout: 10_000 },
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connections,
      pipelining: 1,
      factory: (origin, options) => {
        const pool = new Pool(origin, options);
        this.pools.push(pool);
        return pool;
      },
    });
  }

  /**
   * Reserves a listening stream to the origin of `url` for `tenantId`; the returned function frees it (once). Throws
   * UPSTREAM_BUSY when the origin's ceiling, or the tenant's share of it, is reached: a shared upstream (one URL that
   * several tenants registered) cannot be taken from the others by one tenant's sessions.
   */
  reserveStream(url: string, tenantId: string): () => void {
    const { origin } = new URL(url);
    const { upstreamMaxStreams, upstreamMaxStreamsPerTenant } = this.config.proxy;
    return this.openStreams.take([
      {
        key: origin,
        limit: upstreamMaxStreams,
        refusal: () =>
          busy(
            `The upstream already has ${upstreamMaxStreams} listening streams open through this gateway`,
            'MREG_PROXY_UPSTREAM_MAX_STREAMS',
          ),
      },
      {
        key: `${origin}|${tenantId}`,
        limit: upstreamMaxStreamsPerTenant,
        refusal: () =>
          busy(
            `Your organisation already has ${upstreamMaxStreamsPerTenant} listening streams open to this upstream`,
            'MREG_PROXY_UPSTREAM_MAX_STREAMS_PER_TENANT',
          ),
      },
    ]);
  }

  /** Sends a request; a GET goes over the stream connections (reserve one first with `reserveStream`). */
  request(request: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    const url = new URL(request.url);
    // IP-literal hosts never reach the guarded DNS lookup: check them here, against today's setting.
    const problem = hostProblem(url, this.config.allowPrivateUpstreams);
    if (problem) return Promise.reject(new Error(problem));
    const agent = request.method === 'GET' ? this.streams : this.exchanges;
    return agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      headersTimeout: request.headersTimeoutMs,
      bodyTimeout: request.bodyTimeoutMs,
      // Redirects are never followed: an MCP endpoint that redirects is misconfigured, and following one could
      // carry upstream credentials to another host.
      maxRedirections: 0,
    });
  }

  /** Connections to every upstream together: busy (a request on it), idle (kept alive), and requests waiting. */
  usage(): { busy: number; idle: number; waiting: number } {
    const usage = { busy: 0, idle: 0, waiting: 0 };
    for (const { stats } of this.pools) {
      usage.busy += stats.connected - stats.free;
      usage.idle += stats.free;
      usage.waiting += stats.pending;
    }
    return usage;
  }

  /** Lets finished exchanges end cleanly, then cuts what is still open (long-lived streams would wait forever). */
  async onApplicationShutdown(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const agents = [this.exchanges, this.streams];
    await Promise.race([
      Promise.all(agents.map((agent) => agent.close())),
      new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
    ]);
    clearTimeout(timer);
    await Promise.all(agents.map((agent) => agent.destroy().catch(() => undefined)));
  }
}

function busy(what: string, setting: string): ProxyError {
  return new ProxyError(
    503,
    ErrorCode.UPSTREAM_BUSY,
    `${what} (${setting}); retry later, or ask the operator to raise it`,
    { 'Retry-After': String(BUSY_RETRY_AFTER_SECONDS) },
  );
}
