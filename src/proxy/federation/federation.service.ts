import { Injectable } from '@nestjs/common';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import {
  type ListToolsResult,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server';
import type { Request, Response } from 'express';
import type { Principal } from '../../auth/principal.js';
import { GATEWAY_VERSION } from '../../version.js';
import { ProxyErrorCode } from '../proxy.errors.js';
import { RouterMetrics } from '../router-metrics.js';
import { bearerOf } from '../upstream-headers.js';
import { FederatedCatalog } from './federated-catalog.js';
import { UpstreamClients } from './upstream-clients.js';

/**
 * `/federated/mcp`: one MCP server presenting the tools of every server the caller may use, named
 * `{serverName}__{toolName}` with descriptions and schemas kept; `tools/call` is routed by prefix through the proxy's
 * upstream layer and policy. Stateless towards the client (any replica answers any request).
 */
@Injectable()
export class FederationService {
  constructor(
    private readonly catalog: FederatedCatalog,
    private readonly clients: UpstreamClients,
    private readonly metrics: RouterMetrics,
  ) {}

  async handle(principal: Principal, req: Request, res: Response): Promise<void> {
    const server = this.serverFor(principal, bearerOf(req.get('authorization')));
    const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  private serverFor(principal: Principal, bearer: string | undefined): McpServer {
    const mcp = new McpServer(
      {
        name: 'mcp-registry-gateway-federated',
        title: 'MCP Registry Gateway (federated)',
        version: GATEWAY_VERSION,
      },
      {
        capabilities: { tools: { listChanged: false } },
        instructions: 'Tools of every MCP server you may use through this gateway, named {server}__{tool}.',
      },
    );
    mcp.server.setRequestHandler('tools/list', (request) => {
      const tools = this.catalog.tools(principal);
      const offset = decodeCursor(request.params?.cursor);
      const page = tools.slice(offset, offset + this.catalog.pageSize);
      const next = offset + page.length;
      return {
        // Definitions as discovered from (and validated by) the upstream's own tools/list.
        tools: page.map(({ name, tool }) => ({ ...tool, name })) as ListToolsResult['tools'],
        ...(next < tools.length ? { nextCursor: Buffer.from(String(next)).toString('base64url') } : {}),
      };
    });
    mcp.server.setRequestHandler('tools/call', async (request) => {
      const entry = this.catalog.find(principal, request.params.name);
      if (!entry) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          `Tool not available: ${request.params.name}`,
          {
            code: ProxyErrorCode.TOOL_NOT_ALLOWED,
            statusCode: 403,
          },
        );
      }
      const finished = this.metrics.start(entry.server.id);
      try {
        const timeout = entry.server.timeouts.tools[entry.tool.name] ?? entry.server.timeouts.requestMs;
        const result = await this.clients.with(
          principal,
          entry.server,
          (client) =>
            client.callTool(
              { name: entry.tool.name, arguments: request.params.arguments ?? {} },
              { timeout },
            ),
          bearer,
        );
        finished(false);
        return result;
      } catch (error) {
        finished(true);
        if (error instanceof ProtocolError) throw error;
        throw new ProtocolError(-32000, `Upstream ${entry.server.name} failed: ${(error as Error).message}`, {
          code: ProxyErrorCode.UPSTREAM_UNAVAILABLE,
          statusCode: 502,
        });
      }
    });
    return mcp;
  }
}

function decodeCursor(cursor: string | undefined): number {
  if (!cursor) return 0;
  const offset = Number(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ProtocolError(ProtocolErrorCode.InvalidParams, 'Invalid cursor');
  }
  return offset;
}
