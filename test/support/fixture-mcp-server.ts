import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
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
  /** Every request's headers, newest last. */
  readonly headers: IncomingHttpHeaders[] = [];
  /** Every request's HTTP method, newest last (a client's listening GET arrives whenever it likes). */
  readonly httpMethods: string[] = [];
  /** Responses the client (the gateway) abandoned before they finished. */
  abandoned = 0;
  /** How often each tool ran, to check that the gateway never repeats a non-idempotent call. */
  readonly invocations = new Map<string, number>();
  /** Also offer `slow` (answers after `ms`), for timeout tests. */
  slowTool = false;
  private http?: Server;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  async start(): Promise<this> {
    this.http = createServer((req, res) => {
      this.authorizations.push(req.headers.authorization);
      this.headers.push(req.headers);
      this.httpMethods.push(req.method ?? '');
      const server = this.build();
      const transport = new NodeStreamableHTTPServerTransport({ sessionIdGenerator: undefined });
      res.on('close', () => {
        if (!res.writableFinished) this.abandoned++;
        void server.close();
      });
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
        ({ text }) => {
          this.invocations.set(tool.name, (this.invocations.get(tool.name) ?? 0) + 1);
          return Promise.resolve({ content: [{ type: 'text', text: `${tool.name}:${text ?? ''}` }] });
        },
      );
    }
    if (!this.slowTool) return server;
    server.registerTool(
      'slow',
      { description: 'Answers after ms milliseconds', inputSchema: z.object({ ms: z.number() }) },
      async ({ ms }) => {
        this.invocations.set('slow', (this.invocations.get('slow') ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, ms));
        return { content: [{ type: 'text', text: `slept ${ms}` }] };
      },
    );
    return server;
  }
}
