import { McpController, Tool } from '@rekog/mcp-nest';
import { z } from 'zod';
import { type GatewayInfo, GatewayInfoService } from './gateway-info.service.js';

const gatewayInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  uptimeSeconds: z.number().int().nonnegative(),
  startedAt: z.string().describe('ISO 8601 start time of this gateway process'),
  nodeVersion: z.string(),
  database: z.object({ kind: z.enum(['postgres', 'embedded']) }),
  auth: z.object({ mode: z.enum(['entra', 'local']) }),
});

@McpController()
export class GatewayInfoTools {
  constructor(private readonly info: GatewayInfoService) {}

  @Tool({
    name: 'gateway_info',
    description: 'Version, uptime, database kind and authentication mode of this MCP Registry Gateway.',
    outputSchema: gatewayInfoSchema,
    annotations: { title: 'Gateway info', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  })
  gatewayInfo(): GatewayInfo {
    return this.info.describe();
  }
}
