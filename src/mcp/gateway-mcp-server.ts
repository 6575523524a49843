import { ProtocolError } from '@modelcontextprotocol/server';
import { McpStrategy, StreamableHttpTransport } from '@rekog/mcp-nest';
import { GATEWAY_VERSION } from '../common/version.js';

/**
 * The gateway's own MCP server (`/mcp`): one mcp-nest strategy and its streamable-HTTP transport per application
 * instance. Stateless, so any replica can answer any request. The route itself is mounted by `McpController`, a
 * normal Nest controller, so global guards, interceptors, the body limit and the exception filter apply to it;
 * reading `transport.httpHandlers` there turns off the transport's self-mounted route, which would bypass them.
 */
export class GatewayMcpServer {
  readonly transport = new StreamableHttpTransport({ statefulMode: false });

  readonly strategy = new McpStrategy({
    name: 'mcp-registry-gateway',
    title: 'MCP Registry Gateway',
    version: GATEWAY_VERSION,
    description: 'Registry, policy-enforcing proxy and audit trail for the MCP servers of an organisation',
    instructions:
      'Tools of the MCP Registry Gateway. Use gateway_info to learn the version, database and auth mode of this gateway.',
    transports: [this.transport],
    logging: { level: ['error', 'warn'] },
  });

  constructor() {
    leaveRoleRefusalsToTheGuard(this.strategy);
  }
}

/**
 * mcp-nest checks `@ToolRoles` twice: it hides the tool from `tools/list` (wanted) and refuses a call with a bare
 * JSON-RPC -32600, before any Nest guard or filter runs (not wanted: no stable code, no audit row). Its role
 * refusals are therefore passed over here and the call goes on to RolesGuard, which makes the same decision from the
 * same metadata and answers 403 INSUFFICIENT_ROLE through the exception filter. Its other refusals stand. The hook is
 * a private member of McpStrategy: if a new mcp-nest version moves it, the gateway refuses to start rather than
 * silently changing how refusals look.
 */
function leaveRoleRefusalsToTheGuard(strategy: McpStrategy): void {
  const auth = (
    strategy as unknown as { authService?: { validateToolAccess?: (...args: unknown[]) => void } }
  ).authService;
  const validate = auth?.validateToolAccess?.bind(auth);
  if (!auth || !validate)
    throw new Error('mcp-nest changed: McpStrategy.authService.validateToolAccess is gone');
  auth.validateToolAccess = (...args: unknown[]) => {
    try {
      validate(...args);
    } catch (error) {
      if (!(error instanceof ProtocolError && /requires (any of )?roles:/.test(error.message))) throw error;
    }
  };
}
