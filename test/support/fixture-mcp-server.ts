import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { z } from 'zod';

export interface FixtureTool {
  name: string;
  description: string;
}

/**
 * A real MCP server (official SDK, streamable HTTP, stateless) on 127.0.0.1 whose tool list can be changed at
 * runtime and which can be stopped and started again on the same port: the upstream for registry tests.
 */
export class FixtureMcpServer {
  tools: FixtureTool[] = [
    { name: 'add', description: 'Adds two numbers' },
    { name: 'echo', description: 'Echoes a message' },
  ];
  /** Requests seen, with their Authorization header, to check which credentials the gateway sends. */
  readonly authorizations: (string | undefined)[] = [];
  private http?: Server;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  async start(): Promise<this> {
    this.http = createServer((req, res) => {
      this.authorizations.push(req.headers.authorization);
      const server = this.build();
      const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => void server.close());
      server
        .connect(transport)
        .then(() => transport.handleRequest(req, res))
        .catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.http!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.http.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    if (!http) return;
    http.closeAllConnections();
    await new Promise<void>((resolve) => http.close(() => resolve()));
  }

  private build(): McpServer {
    const server = new McpServer({ name: 'fixture', version: '1.0.0' });
    for (const tool of this.tools) {
      server.registerTool(
        tool.name,
        { description: tool.description, inputSchema: z.object({ text: z.string().optional() }) },
        ({ text }) => Promise.resolve({ content: [{ type: 'text', text: `${tool.name}:${text ?? ''}` }] }),
      );
    }
    return server;
  }
}
