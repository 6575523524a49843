import { type McpContext, McpController, Tool } from '@rekog/mcp-nest';
import { Ctx } from '@nestjs/microservices';
import { z } from 'zod';
import { principalOf } from '../common/mcp/principal-of.js';
import type { Principal } from '../common/principal.js';

const principalSchema = z.object({
  tenantId: z.string(),
  tenantKey: z.string(),
  oid: z.string(),
  sub: z.string(),
  name: z.string().optional(),
  roles: z.array(z.enum(['admin', 'server_owner', 'user'])),
  scopes: z.array(z.string()),
  clientId: z.string().optional(),
  tokenKind: z.enum(['entra', 'gateway', 'local']),
  superadmin: z.boolean(),
  expiresAt: z.number().int(),
});

@McpController()
export class AuthTools {
  @Tool({
    name: 'whoami',
    description:
      'The calling user as the gateway sees it: tenant, user id, effective roles, scopes and token kind.',
    outputSchema: principalSchema,
    annotations: { title: 'Who am I', readOnlyHint: true, idempotentHint: true, openWorldHint: false },
  })
  whoami(@Ctx() ctx: McpContext): Principal {
    return principalOf(ctx);
  }
}
