import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { GatewayApp } from '../../src/gateway-app.js';
import { testConfig } from './test-config.js';
import type { Logger } from 'pino';

/** Boots the whole gateway in-process on 127.0.0.1 and a free port, as `npm start` would, with test overrides. */
export async function startGateway(
  overrides: Record<string, string | undefined> = {},
  options: { logger?: Logger } = {},
): Promise<GatewayApp> {
  return GatewayApp.start(testConfig(overrides).config, options);
}

/** An official MCP SDK client connected to the gateway's own `/mcp` endpoint over streamable HTTP. */
export async function connectMcpClient(gateway: GatewayApp, path = '/mcp'): Promise<Client> {
  const client = new Client({ name: 'gateway-e2e', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(path, gateway.url)));
  return client;
}
