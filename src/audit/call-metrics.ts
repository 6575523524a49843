import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../observability/metrics.service.js';
import type { AuditEventInput } from './audit.types.js';

const MCP_SURFACES = new Set(['mcp', 'proxy']);
const MAX_LABEL = 64;

/**
 * Prometheus metrics of MCP calls (gateway tools on `/mcp`, proxied and federated calls), fed by the same hooks that
 * record audit events. Labels are bounded: tool and server id are set only for calls that ran (the gateway's own tools,
 * approved upstream tools, registered servers), never for a refused or failed call whose names the client chose.
 */
@Injectable()
export class CallMetrics {
  private readonly calls: Counter<'surface' | 'method' | 'tool' | 'server_id' | 'outcome'>;
  private readonly seconds: Histogram<'surface' | 'method' | 'outcome'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.calls = new Counter({
      name: 'mcp_gateway_mcp_calls_total',
      help: 'MCP calls (tools/call, resources/read, prompts/get) by surface, method, tool, server id and outcome',
      labelNames: ['surface', 'method', 'tool', 'server_id', 'outcome'] as const,
      registers,
    });
    this.seconds = new Histogram({
      name: 'mcp_gateway_mcp_call_duration_seconds',
      help: 'Duration of MCP calls through the gateway, by surface, method and outcome',
      labelNames: ['surface', 'method', 'outcome'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 120],
      registers,
    });
  }

  observe(event: AuditEventInput): void {
    if (!MCP_SURFACES.has(event.surface) || !event.action.includes('/')) return;
    const method = event.action.slice(0, MAX_LABEL);
    // Only a call that ran names a tool and server that certainly exist; anything else could be the client's invention.
    const ran = event.outcome === 'success';
    this.calls.inc({
      surface: event.surface,
      method,
      tool: ran ? (event.tool ?? '').slice(0, MAX_LABEL) : '',
      server_id: ran ? (event.serverId ?? '') : '',
      outcome: event.outcome,
    });
    if (event.durationMs !== undefined) {
      this.seconds.observe(
        { surface: event.surface, method, outcome: event.outcome },
        event.durationMs / 1000,
      );
    }
  }
}
