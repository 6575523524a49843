import { type McpContext, McpController, Tool, ToolRoles } from '@rekog/mcp-nest';
import { Ctx } from '@nestjs/microservices';
import { z } from 'zod';
import { principalOf } from '../common/mcp/principal-of.js';
import { type TenantView, TenantsService } from './tenants.service.js';

const tenantsSchema = z.object({
  tenants: z.array(
    z.object({
      id: z.string(),
      key: z.string(),
      name: z.string(),
      status: z.string(),
      createdAt: z.string(),
    }),
  ),
});

@McpController()
export class TenantsTools {
  constructor(private readonly tenants: TenantsService) {}

  @Tool({
    name: 'list_tenants',
    description: "Admin: the caller's tenant (every tenant for platform administrators).",
    outputSchema: tenantsSchema,
    annotations: { title: 'List tenants', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  })
  @ToolRoles(['admin'])
  async listTenants(@Ctx() ctx: McpContext): Promise<{ tenants: TenantView[] }> {
    return { tenants: await this.tenants.listVisibleTo(principalOf(ctx)) };
  }
}
