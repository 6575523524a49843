import { Ctx, Payload } from '@nestjs/microservices';
import { type McpContext, Tool, ToolRoles } from '@rekog/mcp-nest';
import { z } from 'zod';
import { principalOf } from '../common/mcp/principal-of.js';
import { GatewayMcpTools } from '../common/mcp/mcp-exception.filter.js';
import { validateInput } from '../common/mcp/validate-input.js';
import { CapabilitiesService } from './capabilities.service.js';
import { ApproveChangesDto } from './dto/approve-changes.dto.js';
import { ListServersQuery, SearchToolsQuery } from './dto/list-servers.query.js';
import { RegisterServerDto, UpdateServerDto } from './dto/register-server.dto.js';
import { SERVER_NAME_SLUG } from './registry.limits.js';
import { outputs, pageSize, serverRef, serverSettingsShape } from './registry.schemas.js';
import { RegistryService } from './registry.service.js';
import { SERVER_STATUSES, TRANSPORTS } from './registry.types.js';

/** Who may register and change servers: tools/list hides those tools from everyone else (a user owns none). */
const MANAGERS = ['admin', 'server_owner'];

type Output<K extends keyof typeof outputs> = z.infer<(typeof outputs)[K]>;
const readOnly = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const;

/** The registry on `/mcp`: thin wrappers over the same services as the REST API, with the same validation. */
@GatewayMcpTools()
export class RegistryTools {
  constructor(
    private readonly registry: RegistryService,
    private readonly capabilities: CapabilitiesService,
  ) {}

  @Tool({
    name: 'list_servers',
    description:
      'MCP servers registered in your tenant (and global ones) that you may use, with status and tool counts.',
    parameters: z.object({
      status: z.enum(SERVER_STATUSES).optional(),
      tag: z.string().optional(),
      transport: z.enum(TRANSPORTS).optional(),
      q: z.string().optional().describe('Text in name, title or description'),
      cursor: z.string().optional(),
      limit: pageSize.optional(),
    }),
    outputSchema: outputs.listServers,
    annotations: { title: 'List servers', ...readOnly },
  })
  async listServers(@Payload() args: unknown, @Ctx() ctx: McpContext): Promise<Output<'listServers'>> {
    const principal = principalOf(ctx);
    const page = await this.registry.list(principal, await validateInput(ListServersQuery, args));
    return {
      servers: page.items,
      total_count: page.total,
      next_cursor: page.nextCursor,
      user_context: { tenant_id: principal.tenantId, user_id: principal.oid, roles: [...principal.roles] },
      timestamp: new Date().toISOString(),
    };
  }

  @Tool({
    name: 'get_server',
    description: 'One registered server by id or name.',
    parameters: z.object({ server: serverRef }),
    outputSchema: outputs.getServer,
    annotations: { title: 'Get server', ...readOnly },
  })
  async getServer(@Payload() args: { server: string }, @Ctx() ctx: McpContext): Promise<Output<'getServer'>> {
    return { server: await this.registry.get(principalOf(ctx), args.server) };
  }

  @Tool({
    name: 'register_server',
    description:
      'Admin or server_owner: register an MCP server. The gateway connects to it now (unless discover is false) and stores its tools.',
    parameters: z.object({
      name: z.string().describe(`Slug, unique in your tenant: ^${SERVER_NAME_SLUG}$`),
      ...serverSettingsShape,
      discover: z.boolean().optional(),
    }),
    outputSchema: outputs.registerServer,
    annotations: {
      title: 'Register server',
      readOnlyHint: false,
      destructiveHint: false,
      openWorldHint: true,
    },
  })
  @ToolRoles(MANAGERS, { match: 'any' })
  async registerServer(@Payload() args: unknown, @Ctx() ctx: McpContext): Promise<Output<'registerServer'>> {
    const { server, discovered } = await this.registry.register(
      principalOf(ctx),
      await validateInput(RegisterServerDto, args),
    );
    return {
      success: true,
      server_id: server.id,
      message: discovered
        ? `Registered ${server.name} with ${discovered.tools.length} tools`
        : `Registered ${server.name} without discovery`,
      registered_capabilities: discovered,
    };
  }

  @Tool({
    name: 'update_server',
    description: 'Admin or the server owner: change a server. Omitted fields (and secrets) are kept.',
    parameters: z.object({
      server: serverRef,
      name: z.string().optional(),
      maintenance: z.boolean().optional(),
      ...serverSettingsShape,
    }),
    outputSchema: outputs.updateServer,
    annotations: {
      title: 'Update server',
      readOnlyHint: false,
      destructiveHint: false,
      openWorldHint: false,
    },
  })
  @ToolRoles(MANAGERS, { match: 'any' })
  async updateServer(
    @Payload() args: { server?: unknown },
    @Ctx() ctx: McpContext,
  ): Promise<Output<'updateServer'>> {
    const { server, ...changes } = args;
    const dto = await validateInput(UpdateServerDto, changes);
    return { success: true, server: await this.registry.update(principalOf(ctx), String(server), dto) };
  }

  @Tool({
    name: 'unregister_server',
    description: 'Admin or the server owner: remove a server from the registry.',
    parameters: z.object({ server: serverRef }),
    outputSchema: outputs.unregisterServer,
    annotations: {
      title: 'Unregister server',
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: false,
    },
  })
  @ToolRoles(MANAGERS, { match: 'any' })
  async unregisterServer(
    @Payload() args: { server: string },
    @Ctx() ctx: McpContext,
  ): Promise<Output<'unregisterServer'>> {
    const principal = principalOf(ctx);
    const server = await this.registry.find(principal, args.server);
    await this.registry.unregister(principal, server.id);
    return { success: true, server_id: server.id, message: `Unregistered ${server.name}` };
  }

  @Tool({
    name: 'search_tools',
    description: 'Search the tools of every server you may use by words in their name or description.',
    parameters: z.object({
      q: z.string().optional(),
      server: z.string().optional().describe('Only this server (id or name)'),
      limit: pageSize.optional(),
    }),
    outputSchema: outputs.searchTools,
    annotations: { title: 'Search tools', ...readOnly },
  })
  async searchTools(@Payload() args: unknown, @Ctx() ctx: McpContext): Promise<Output<'searchTools'>> {
    const query = await validateInput(SearchToolsQuery, args);
    return this.capabilities.searchTools(principalOf(ctx), query.q, query.server, query.limit);
  }

  @Tool({
    name: 'approve_server_changes',
    description:
      "Admin: approve a server's changed tools (drift) so the gateway serves them. Pass capabilitiesHash to approve exactly what you reviewed.",
    parameters: z.object({ server: serverRef, capabilitiesHash: z.string().optional() }),
    outputSchema: outputs.approveChanges,
    annotations: {
      title: 'Approve server changes',
      readOnlyHint: false,
      destructiveHint: false,
      openWorldHint: false,
    },
  })
  @ToolRoles(['admin'])
  async approveChanges(
    @Payload() args: { server: string; capabilitiesHash?: string },
    @Ctx() ctx: McpContext,
  ): Promise<Output<'approveChanges'>> {
    const dto = await validateInput(ApproveChangesDto, { capabilitiesHash: args.capabilitiesHash });
    const { server, drift } = await this.capabilities.approveChanges(
      principalOf(ctx),
      args.server,
      dto.capabilitiesHash,
    );
    return { success: true, server_id: server.id, approved: drift };
  }
}
