import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toNodeHandler } from '@modelcontextprotocol/node';
import { acceptedContent, createMcpHandler, inputRequired, McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

/**
 * An MCP server built the way the official SDK 2.4 builds current servers (`createMcpHandler`): it speaks the
 * 2026-07-28 revision (and serves 2025 clients statelessly), and on 2026-07-28 requests it requires the protocol's
 * request headers (`Mcp-Method`, `Mcp-Name`) to be present and to match the body.
 */
export class ModernMcpServer {
  private http?: Server;
  /** The request headers of every request, newest last. */
  readonly requests: { method?: string; headers: Record<string, string | string[] | undefined> }[] = [];
  /** Tools offered only to 2026-07-28 clients, as the reference server offers its input_required tools. */
  modernOnlyTools: string[] = [];

  /** `confirmTool`: also a `deploy` tool that asks its 2026-07-28 caller to confirm (`input_required`) first. */
  constructor(private readonly options: { confirmTool?: boolean } = {}) {}

  get url(): string {
    return `http://127.0.0.1:${(this.http!.address() as AddressInfo).port}/mcp`;
  }

  async start(): Promise<this> {
    const handler = toNodeHandler(
      createMcpHandler(({ era }) => {
        const server = new McpServer({ name: 'modern', version: '1.0.0' });
        server.registerTool(
          'echo',
          { description: 'Echoes its text', inputSchema: z.object({ text: z.string() }) },
          ({ text }) => ({ content: [{ type: 'text', text: `echo:${text}` }] }),
        );
        for (const name of era === 'modern' ? this.modernOnlyTools : []) {
          server.registerTool(
            name,
            { description: `Offered on 2026-07-28 only`, inputSchema: z.object({ text: z.string() }) },
            ({ text }) => ({ content: [{ type: 'text', text: `${name}:${text}` }] }),
          );
        }
        if (this.options.confirmTool) registerDeploy(server);
        return server;
      }),
    );
    this.http = createServer((req, res) => {
      this.requests.push({ method: req.method, headers: { ...req.headers } });
      void Promise.resolve(handler(req, res)).catch(() => res.destroy());
    });
    await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.http?.closeAllConnections();
    await new Promise<void>((resolve) => (this.http ? this.http.close(() => resolve()) : resolve()));
  }
}

/** A multi-round-trip tool: the first call answers `input_required` (an elicitation), the retry carries the answer. */
function registerDeploy(server: McpServer): void {
  const confirmation = z.object({ confirm: z.boolean() });
  server.registerTool(
    'deploy',
    { description: 'Deploys after a confirmation', inputSchema: z.object({ env: z.string() }) },
    ({ env }, ctx) => {
      const confirmed = acceptedContent(ctx.mcpReq.inputResponses, 'confirm', confirmation);
      if (confirmed?.confirm !== true) {
        return inputRequired({
          inputRequests: {
            confirm: inputRequired.elicit({ message: `Deploy to ${env}?`, requestedSchema: confirmation }),
          },
        });
      }
      return { content: [{ type: 'text', text: `deployed to ${env}` }] };
    },
  );
}
