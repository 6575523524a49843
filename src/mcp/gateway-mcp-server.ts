import { McpStrategy, StreamableHttpTransport } from '@rekog/mcp-nest';
import { GATEWAY_VERSION } from '../version.js';

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
}
