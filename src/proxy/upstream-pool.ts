import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Agent, type Dispatcher, Pool } from 'undici';
import { guardedLookup, hostProblem } from '../common/net/ssrf-guard.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';

const CLOSE_GRACE_MS = 1_000;

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
 */
@Injectable()
export class UpstreamPool implements OnApplicationShutdown {
  private readonly agent: Agent;
  /**
   * The agent's pool per origin, kept here to read their usage. undici 6 keeps them for the agent's life too (and
   * origins are bounded by the registry); a later undici that drops idle pools would need this list pruned.
   */
  private readonly pools: Pool[] = [];

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(config.allowPrivateUpstreams), timeout: 10_000 },
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      connections: 256,
      pipelining: 1,
      factory: (origin, options) => {
        const pool = new Pool(origin, options);
        this.pools.push(pool);
        return pool;
      },
    });
  }

  request(request: UpstreamRequest): Promise<Dispatcher.ResponseData> {
    const url = new URL(request.url);
    // IP-literal hosts never reach the guarded DNS lookup: check them here, against today's setting.
    const problem = hostProblem(url, this.config.allowPrivateUpstreams);
    if (problem) return Promise.reject(new Error(`${url.host} ${problem}`));
    return this.agent.request({
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
    await Promise.race([
      this.agent.close(),
      new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS))),
    ]);
    clearTimeout(timer);
    await this.agent.destroy().catch(() => undefined);
  }
}
