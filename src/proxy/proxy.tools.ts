import { Ctx, Payload } from '@nestjs/microservices';
import { type McpContext, Tool, ToolRoles } from '@rekog/mcp-nest';
import { z } from 'zod';
import { principalOf } from '../common/mcp/principal-of.js';
import { GatewayMcpTools } from '../common/mcp/mcp-exception.filter.js';
import { validateInput } from '../common/mcp/validate-input.js';
import { HealthCheckRequestDto, ProxyRequestDto } from './dto/router.dto.js';
import { PROXY_METHODS, type ProxyRequestResult, ProxyRequestService } from './proxy-request.service.js';
import { type LiveHealth, type RouterMetricsView, RouterService } from './router.service.js';
import { bearerOf } from './upstream-headers.js';

const health = z.object({
  servers: z.array(
    z.object({
      server_id: z.string(),
      name: z.string(),
      status: z.enum(['healthy', 'degraded', 'unhealthy', 'unknown']),
      latency_ms: z.number().nullable(),
      error: z.string().nullable(),
    }),
  ),
  checked_at: z.string(),
});

const metrics = z.object({
  servers: z.array(
    z.object({
      serverId: z.string(),
      name: z.string(),
      requests: z.number().int(),
      errors: z.number().int(),
      errorRate: z.number(),
      activeRequests: z.number().int(),
      latencyMs: z.object({ p50: z.number(), p95: z.number(), p99: z.number() }).nullable(),
      breakers: z.array(z.object({ url: z.string(), state: z.string() })),
    }),
  ),
  timestamp: z.string(),
});

/** The router on `/mcp`: thin wrappers over the proxy's own services. */
@GatewayMcpTools()
export class ProxyTools {
  constructor(
    private readonly requests: ProxyRequestService,
    private readonly router: RouterService,
  ) {}

  @Tool({
    name: 'proxy_request',
    description:
      'Perform one MCP request (tools/call, tools/list, resources/read, prompts/get, ...) on a registered server. Without a server, tools/call goes to a healthy server offering the tool.',
    parameters: z.object({
      server: z.string().optional().describe('Server id or name'),
      method: z.enum(PROXY_METHODS),
      params: z.record(z.string(), z.unknown()).optional(),
      timeoutMs: z.number().int().optional(),
    }),
    outputSchema: z.object({
      success: z.boolean(),
      response_data: z.unknown(),
      error_message: z.string().nullable(),
      execution_time_ms: z.number(),
      server_id: z.string().nullable(),
    }),
    annotations: { title: 'Proxy request', readOnlyHint: false, openWorldHint: true },
  })
  async proxyRequest(@Payload() args: unknown, @Ctx() ctx: McpContext): Promise<ProxyRequestResult> {
    const authorization = ctx.getRawRequest<{ headers?: { authorization?: string } }>()?.headers
      ?.authorization;
    return this.requests.execute(
      principalOf(ctx),
      await validateInput(ProxyRequestDto, args),
      bearerOf(authorization),
    );
  }

  @Tool({
    name: 'health_check',
    description: 'Check one server (id or name) or every server you can see, live.',
    parameters: z.object({ server: z.string().optional() }),
    outputSchema: health,
    annotations: { title: 'Health check', readOnlyHint: true, openWorldHint: true },
  })
  async healthCheck(
    @Payload() args: unknown,
    @Ctx() ctx: McpContext,
  ): Promise<{ servers: LiveHealth[]; checked_at: string }> {
    const dto = await validateInput(HealthCheckRequestDto, args);
    return this.router.healthCheck(principalOf(ctx), dto.server);
  }

  @Tool({
    name: 'get_router_metrics',
    description:
      'Admin: per-server requests, error rates, latency percentiles, breaker states and active requests.',
    parameters: z.object({}),
    outputSchema: metrics,
    annotations: { title: 'Router metrics', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  })
  @ToolRoles(['admin'])
  getRouterMetrics(@Ctx() ctx: McpContext): RouterMetricsView {
    return this.router.metricsFor(principalOf(ctx));
  }
}
