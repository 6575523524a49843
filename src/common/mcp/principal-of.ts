import type { McpContext } from '@rekog/mcp-nest';
import type { AuthenticatedRequest } from '../decorators/auth.decorators.js';
import type { Principal } from '../principal.js';

/** The principal behind an MCP tool call, as authenticated by the global guard on the HTTP request. */
export function principalOf(ctx: McpContext): Principal {
  const principal = ctx.getRawRequest<AuthenticatedRequest>()?.principal;
  if (!principal) throw new Error('MCP tool called without an authenticated principal');
  return principal;
}
