import type { FetchLike } from '@modelcontextprotocol/client';
import { Agent, fetch as undiciFetch } from 'undici';
import { guardedLookup, hostProblem } from '../../common/net/ssrf-guard.js';
import type { ByteBudget } from '../../common/http/byte-budget.js';

/**
 * The fetch the registry uses towards upstreams: a keep-alive undici pool whose connect step resolves names with
 * the SSRF guard (so a name that resolves to a private or metadata address is refused when connecting, not only
 * when registered) and a bounded connect timeout. Redirects are left to the MCP SDK transport, whose default
 * policy follows only same-origin redirects.
 */
export class UpstreamFetch {
  private readonly agent: Agent;

  constructor(
    private readonly allowPrivate: boolean,
    connectTimeoutMs = 5_000,
  ) {
    this.agent = new Agent({
      connect: { lookup: guardedLookup(allowPrivate), timeout: connectTimeoutMs },
      keepAliveTimeout: 30_000,
      connections: 64,
    });
  }

  readonly fetch: FetchLike = (url, init) => {
    const target = new URL(url instanceof URL ? url.href : url);
    // IP-literal hosts never reach the guarded DNS lookup: check them here, against today's setting.
    const problem = hostProblem(target, this.allowPrivate);
    if (problem) return Promise.reject(new Error(problem));
    return undiciFetch(target.href, { ...init, dispatcher: this.agent });
  };

  /**
   * This fetch, with every response counted against `budget`. Once it is spent no further request is sent, except
   * the DELETE that ends the upstream session (its answer is counted like any other).
   */
  metered(budget: ByteBudget): FetchLike {
    return async (url, init) => {
      if (init?.method !== 'DELETE') budget.check();
      return budget.meter(await this.fetch(url, init));
    };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
