#!/usr/bin/env node
/**
 * Upstream of the tools/list scenario: stateless, JSON answers, `/tools/{n}/mcp` serves n tools with realistic
 * definitions (title, a sentence of description, a three-property input schema, annotations; about 600 bytes
 * each). It is raw node:http with the tools/list answer serialized once, not the SDK: an SDK server would spend
 * more on 500 tools than the gateway does, and the scenario would measure the upstream. Prints its base URL.
 */
import http from 'node:http';

const MAX_TOOLS = 5000;
const lists = new Map();

function toolList(count) {
  if (!lists.has(count)) {
    const tools = Array.from({ length: count }, (_, i) => {
      const n = String(i).padStart(4, '0');
      return {
        name: `tool_${n}`,
        title: `Tool ${n}`,
        description: `Looks up records of collection ${n} matching a query and returns at most \`limit\` of them, newest first; read-only, results are not cached.`,
        inputSchema: {
          type: 'object',
          properties: {
            query: { type: 'string', description: 'Full-text query; quotes for exact phrases.' },
            limit: { type: 'integer', minimum: 1, maximum: 100, description: 'Largest number of records.' },
            verbose: { type: 'boolean', description: 'Include every field instead of a summary.' },
          },
          required: ['query'],
        },
        annotations: { readOnlyHint: true, openWorldHint: false },
      };
    });
    lists.set(count, JSON.stringify({ tools }));
  }
  return lists.get(count);
}

/** The JSON `result` of a request, as a string, or undefined for an unknown method. */
function resultOf(message, count) {
  switch (message.method) {
    case 'initialize':
      return JSON.stringify({
        protocolVersion: message.params?.protocolVersion ?? '2025-11-25',
        capabilities: { tools: {} },
        serverInfo: { name: `bench-tools-${count}`, version: '1.0.0' },
      });
    case 'ping':
      return '{}';
    case 'tools/list':
      return toolList(count);
    case 'tools/call': {
      const text = String(Object.values(message.params?.arguments ?? {})[0] ?? '');
      return JSON.stringify({ content: [{ type: 'text', text }] });
    }
    default:
      return undefined;
  }
}

function send(res, status, body) {
  res.writeHead(status, body ? { 'content-type': 'application/json' } : {});
  res.end(body);
}

const server = http.createServer((req, res) => {
  const count = Number(req.url.match(/^\/tools\/(\d+)\/mcp$/)?.[1]);
  if (!(count >= 1 && count <= MAX_TOOLS)) return send(res, 404);
  // Stateless: no listening stream (GET) and no session to end (DELETE), as the SDK answers.
  if (req.method !== 'POST') return send(res, 405);
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    let message;
    try {
      message = JSON.parse(Buffer.concat(chunks).toString());
    } catch {
      return send(res, 400, '{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}');
    }
    if (message.id === undefined) return send(res, 202);
    const id = JSON.stringify(message.id);
    const result = resultOf(message, count);
    if (result === undefined) {
      return send(
        res,
        200,
        `{"jsonrpc":"2.0","id":${id},"error":{"code":-32601,"message":"Method not found"}}`,
      );
    }
    send(res, 200, `{"jsonrpc":"2.0","id":${id},"result":${result}}`);
  });
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
