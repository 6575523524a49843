import { Injectable } from '@nestjs/common';
import { Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../observability/metrics.service.js';
import { OpenStreams } from '../observability/open-streams.js';
import { RegistryCache } from '../registry/index.js';
import { breakerKey, UpstreamBreakers } from './breakers.js';
import { ProxyError } from './proxy.errors.js';
import { SessionActivity } from './session-activity.js';
import { UpstreamPool } from './upstream-pool.js';
import { ErrorCode } from '../common/errors/error-codes.js';

export type UpstreamOutcome = 'ok' | 'error_5xx' | 'timeout' | 'unreachable' | 'circuit_open' | 'cancelled';

const BREAKER_VALUE = { closed: 0, half_open: 1, open: 2 } as const;
/** A proxy session counts as active when it made a request within this window. */
export const ACTIVE_SESSION_WINDOW_MS = 5 * 60_000;

/**
 * Prometheus metrics of the upstream layer. Labels are tenant ids, server names (unique per tenant) and endpoint positions, never URLs (an endpoint
 * URL may carry a key in its query) and never users, so cardinality is bounded by the registry.
 */
@Injectable()
export class ProxyMetrics {
  private readonly upstreamSeconds: Histogram<'tenant' | 'server' | 'outcome'>;

  constructor(
    metrics: MetricsService,
    registry: RegistryCache,
    breakers: UpstreamBreakers,
    streams: OpenStreams,
    pool: UpstreamPool,
    sessions: SessionActivity,
  ) {
    const registers = [metrics.registry];
    this.upstreamSeconds = new Histogram({
      name: 'mcp_gateway_upstream_request_duration_seconds',
      help: 'Upstream MCP requests until response headers, by server name and outcome',
      labelNames: ['tenant', 'server', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers,
    });
    const breakerState: Gauge<'tenant' | 'server' | 'endpoint_index'> = new Gauge({
      name: 'mcp_gateway_breaker_state',
      help: 'Circuit breaker per upstream endpoint: 0 closed, 1 half-open (probing), 2 open (failing fast)',
      // Not `endpoint`: Prometheus sets that target label on every scraped series and would rename ours.
      labelNames: ['tenant', 'server', 'endpoint_index'] as const,
      registers,
      collect: () => {
        breakerState.reset();
        for (const server of registry.all()) {
          server.endpoints.forEach((endpoint, index) =>
            breakerState.set(
              { tenant: server.tenantId, server: server.name, endpoint_index: String(index) },
              BREAKER_VALUE[breakers.state(breakerKey(server.id, endpoint.url))],
            ),
          );
        }
      },
    });
    const openStreams: Gauge = new Gauge({
      name: 'mcp_gateway_open_streams',
      help: 'Streamed (SSE) responses and list-changed streams open on this process',
      registers,
      collect: () => openStreams.set(streams.claimed),
    });
    const activeSessions: Gauge = new Gauge({
      name: 'mcp_gateway_proxy_sessions_active',
      help: 'Proxy sessions (/servers/{id}/mcp) that made a request through this process in the last 5 minutes',
      registers,
      collect: () => activeSessions.set(sessions.activeWithin(ACTIVE_SESSION_WINDOW_MS)),
    });
    const connections: Gauge<'state'> = new Gauge({
      name: 'mcp_gateway_upstream_pool_connections',
      help: 'Keep-alive connections of this process to upstreams by state (busy, idle)',
      labelNames: ['state'] as const,
      registers,
      collect: () => {
        const usage = pool.usage();
        connections.set({ state: 'busy' }, usage.busy);
        connections.set({ state: 'idle' }, usage.idle);
      },
    });
    const waiting: Gauge = new Gauge({
      name: 'mcp_gateway_upstream_pool_waiting',
      help: 'Upstream requests of this process waiting for a connection (the per-origin limit is reached)',
      registers,
      collect: () => waiting.set(pool.usage().waiting),
    });
  }

  observeUpstream(
    server: { tenantId: string; name: string },
    outcome: UpstreamOutcome,
    seconds: number,
  ): void {
    this.upstreamSeconds.observe({ tenant: server.tenantId, server: server.name, outcome }, seconds);
  }
}

/** How an upstream attempt that threw ended, for the metrics. */
export function upstreamOutcomeOf(error: unknown): UpstreamOutcome {
  if (!(error instanceof ProxyError)) return 'unreachable';
  if (error.code === ErrorCode.UPSTREAM_CIRCUIT_OPEN) return 'circuit_open';
  if (error.code === ErrorCode.UPSTREAM_TIMEOUT) return 'timeout';
  if (error.getStatus() === 499) return 'cancelled';
  return 'unreachable';
}
