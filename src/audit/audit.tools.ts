import { Ctx, Payload } from '@nestjs/microservices';
import { type McpContext, Tool, ToolRoles } from '@rekog/mcp-nest';
import { z } from 'zod';
import { principalOf } from '../common/mcp/principal-of.js';
import { GatewayMcpTools } from '../common/mcp/mcp-exception.filter.js';
import { validateInput } from '../common/mcp/validate-input.js';
import { AuditQueryService } from './audit-query.service.js';
import {
  AUDIT_OUTCOMES,
  AUDIT_SURFACES,
  type AuditPage,
  AuditQueryDto,
  MAX_AUDIT_PAGE,
} from './dto/audit-query.dto.js';

const eventSchema = z.object({
  id: z.string(),
  occurredAt: z.string(),
  tenantId: z.string(),
  chainSeq: z.number(),
  actorOid: z.string().nullable(),
  actorName: z.string().nullable(),
  roles: z.array(z.string()),
  clientId: z.string().nullable(),
  surface: z.string(),
  action: z.string(),
  serverId: z.string().nullable(),
  tool: z.string().nullable(),
  requestId: z.string().nullable(),
  sessionHash: z.string().nullable(),
  outcome: z.string(),
  status: z.number().nullable(),
  errorCode: z.string().nullable(),
  durationMs: z.number().nullable(),
  bytes: z.number().nullable(),
  params: z.unknown(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  hash: z.string(),
});

/** `query_audit_log` on `/mcp`: the REST query with the same filters and validation. */
@GatewayMcpTools()
export class AuditTools {
  constructor(private readonly audit: AuditQueryService) {}

  @Tool({
    name: 'query_audit_log',
    description:
      "Admin: your tenant's audit trail, newest first, with filters; pass next_cursor back for more.",
    parameters: z.object({
      from: z.string().optional().describe('ISO 8601, inclusive'),
      to: z.string().optional().describe('ISO 8601, exclusive'),
      actor: z.string().optional().describe("The actor's oid"),
      action: z.string().optional().describe('e.g. tools/call, registry.register'),
      tool: z.string().optional(),
      serverId: z.string().optional(),
      outcome: z.enum(AUDIT_OUTCOMES).optional(),
      surface: z.enum(AUDIT_SURFACES).optional(),
      cursor: z.string().optional(),
      limit: z.number().int().min(1).max(MAX_AUDIT_PAGE).optional(),
    }),
    outputSchema: z.object({ events: z.array(eventSchema), next_cursor: z.string().nullable() }),
    annotations: { title: 'Query audit log', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  })
  @ToolRoles(['admin'])
  async queryAuditLog(
    @Payload() args: unknown,
    @Ctx() ctx: McpContext,
  ): Promise<{ events: AuditPage['events']; next_cursor: string | null }> {
    const query = await validateInput(AuditQueryDto, { ...(args as object), format: undefined });
    const page = await this.audit.query(principalOf(ctx), query);
    return { events: page.events, next_cursor: page.nextCursor };
  }
}
