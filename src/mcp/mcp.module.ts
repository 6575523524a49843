import { Module } from '@nestjs/common';
import { MCP_HTTP_HANDLER, MCP_STRATEGY } from '@rekog/mcp-nest';
import { GatewayInfoService } from './gateway-info.service.js';
import { GatewayInfoTools } from './gateway-info.tools.js';
import { GatewayMcpServer } from './gateway-mcp-server.js';
import { McpController } from './mcp.controller.js';

@Module({
  controllers: [McpController, GatewayInfoTools],
  providers: [
    GatewayInfoService,
    { provide: GatewayMcpServer, useFactory: () => new GatewayMcpServer() },
    {
      provide: MCP_STRATEGY,
      inject: [GatewayMcpServer],
      useFactory: (server: GatewayMcpServer) => server.strategy,
    },
    {
      provide: MCP_HTTP_HANDLER,
      inject: [GatewayMcpServer],
      useFactory: (server: GatewayMcpServer) => server.transport.httpHandlers,
    },
  ],
  exports: [GatewayMcpServer],
})
export class McpModule {}
