#!/usr/bin/env node
/** The benchmark's upstream, in its own process: stateless, JSON responses, one echo tool. Prints its URL. */
import { createServer } from 'node:http';
import { McpServer } from '@modelcontextprotocol/server';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { z } from 'zod';

const http = createServer((req, res) => {
  const server = new McpServer({ name: 'bench-upstream', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echo', inputSchema: z.object({ text: z.string() }) },
    ({ text }) => Promise.resolve({ content: [{ type: 'text', text }] }),
  );
  const transport = new NodeStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  res.on('close', () => void server.close());
  server.connect(transport).then(() => transport.handleRequest(req, res));
});
http.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${http.address().port}/mcp`));
process.on('SIGTERM', () => process.exit(0));
