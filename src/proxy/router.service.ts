import { Injectable } from '@nestjs/common';
import { assertRole, type Principal } from '../common/principal.js';
import {
  canSee,
  type RegisteredServer,
  RegistryCache,
  RegistryService,
  ServerChecker,
} from '../registry/index.js';
import { breakerKey, UpstreamBreakers } from './breakers.js';
import { RouterMetrics, type ServerRouterMetrics } from './router-metrics.js';

const MAX_CHECKED = 50;
const CHECK_CONCURRENCY = 5;

export interface LiveHealth {
  server_id: string;
  name: string;
  status: 'healthy' | 'degraded' | 'unhealthy' | 'unknown';
  latency_ms: number | null;
  error: string | null;
}

export interface RouterMetricsView {
  servers: (ServerRouterMetrics & { name: string; breakers: { url: string; state: string }[] })[];
  timestamp: string;
}

/** Live health checks and routing metrics over the servers a caller can see. */
@Injectable()
export class RouterService {
  constructor(
    private readonly cache: RegistryCache,
    private readonly registry: RegistryService,
    private readonly checker: ServerChecker,
    private readonly metrics: RouterMetrics,
    private readonly breakers: UpstreamBreakers,
  ) {}

  /** Probes one server (id or name) or every visible one (at most 50) now; results are reported, not stored. */
  async healthCheck(
    principal: Principal,
    server?: string,
  ): Promise<{ servers: LiveHealth[]; checked_at: string }> {
    const targets = server
      ? [await this.registry.find(principal, server)]
      : this.visible(principal).slice(0, MAX_CHECKED);
    const results: LiveHealth[] = [];
    for (let i = 0; i < targets.length; i += CHECK_CONCURRENCY) {
      results.push(
        ...(await Promise.all(targets.slice(i, i + CHECK_CONCURRENCY).map((target) => this.probe(target)))),
      );
    }
    return { servers: results, checked_at: new Date().toISOString() };
  }

  metricsFor(principal: Principal): RouterMetricsView {
    assertRole(principal, 'admin');
    const servers = new Map(this.visible(principal).map((server) => [server.id, server]));
    const known = new Map(
      this.metrics.snapshot(new Set(servers.keys())).map((entry) => [entry.serverId, entry]),
    );
    return {
      servers: [...servers.values()].map((server) => ({
        ...(known.get(server.id) ?? {
          serverId: server.id,
          requests: 0,
          errors: 0,
          errorRate: 0,
          activeRequests: 0,
          latencyMs: null,
        }),
        name: server.name,
        breakers: server.endpoints.map((endpoint) => ({
          url: endpoint.url,
          state: this.breakers.state(breakerKey(server.id, endpoint.url)),
        })),
      })),
      timestamp: new Date().toISOString(),
    };
  }

  private visible(principal: Principal): RegisteredServer[] {
    return [...this.cache.all()]
      .filter((server) => canSee(principal, server))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  private async probe(server: RegisteredServer): Promise<LiveHealth> {
    const outcome = await this.checker.probe(server);
    const base = { server_id: server.id, name: server.name };
    if (outcome.skipped) return { ...base, status: 'unknown', latency_ms: null, error: outcome.skipped };
    if (!outcome.result) {
      return {
        ...base,
        status: 'unhealthy',
        latency_ms: null,
        error: outcome.failures.map((f) => f.error).join('; '),
      };
    }
    const slow = outcome.result.latencyMs > server.healthCheck.degradedLatencyMs;
    return {
      ...base,
      status: slow || outcome.failures.length > 0 ? 'degraded' : 'healthy',
      latency_ms: outcome.result.latencyMs,
      error: outcome.failures.length > 0 ? outcome.failures.map((f) => f.error).join('; ') : null,
    };
  }
}
